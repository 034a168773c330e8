// A domain definition → xm config, as libvirt writes it (domxml-to-native xen-xm): the
// shared settings, then the boot (an HVM guest's loader as kernel=, a PV guest's command
// line as extra=), disks in the old "phy:/dev/x,xvda,w" syntax and a USB input device.

import { ErrorDomain } from '@tsvirt/core';
import type { DiskDef, DomainDef } from '@tsvirt/core/xml';
import { textOf } from '@tsvirt/core/xml';
import { formatConfig } from './config-format.js';
import { ConfigBuilder } from './config-settings.js';
import type { ConfigSetting } from './config-syntax.js';
import { formatCommonConfig, unsupported, type FormatContext } from './xen-config-format.js';
import { bootString, topText, usbInputs } from './domain-to-xl.js';

function os(c: FormatContext): void {
  const { def, out } = c;
  if (c.hvm) {
    out.setString('builder', 'hvm');
    const loader = def.os.extra.find((e) => e.name === 'loader');
    if (loader && textOf(loader).trim()) out.setString('kernel', textOf(loader).trim());
    out.setString('boot', bootString(def));
    return;
  }
  const bootloader = topText(def, 'bootloader');
  if (bootloader !== undefined) out.setString('bootloader', bootloader);
  const bootargs = topText(def, 'bootloader_args');
  if (bootargs !== undefined) out.setString('bootargs', bootargs);
  if (def.os.kernel !== undefined) out.setString('kernel', def.os.kernel);
  if (def.os.initrd !== undefined) out.setString('ramdisk', def.os.initrd);
  if (def.os.cmdline !== undefined) out.setString('extra', def.os.cmdline);
}

function diskSpec(c: FormatContext, d: DiskDef): string {
  let s = '';
  const src = d.source?.file ?? d.source?.dev;
  if (src !== undefined) {
    const driver = d.driver?.name;
    const format = d.driver?.type;
    if (format) {
      if (driver) {
        s += `${driver}:`;
        if (driver === 'tap' || driver === 'tap2') s += `${format === 'raw' ? 'aio' : format}:`;
      }
    } else if (d.type === 'file') s += 'file:';
    else if (d.type === 'block') s += 'phy:';
    else throw unsupported(c, `unsupported disk type ${d.type}`);
    s += src;
  } else if (d.type === 'network') throw unsupported(c, 'network disks cannot be written in an xm config');
  s += `,${d.target.dev}${d.device === 'cdrom' ? ':cdrom' : ''}`;
  s += d.readonly ? ',r' : d.shareable ? ',!' : ',w';
  return s;
}

/** The xm config settings for a domain definition (with the Xen driver's defaults applied). */
export function xmSettingsFromDomain(def: DomainDef): ConfigSetting[] {
  const c: FormatContext = { def, out: new ConfigBuilder(), format: 'xm', errorDomain: ErrorDomain.XENXM, hvm: def.os.type === 'hvm' };
  formatCommonConfig(c);
  os(c);
  c.out.setList('disk', def.devices.flatMap((d) => (d.kind === 'disk' && d.device !== 'floppy' ? [diskSpec(c, d)] : [])));
  usbInputs(c, false);
  return c.out.result();
}

/** A domain definition as xm config text. */
export const domainToXmConfig = (def: DomainDef): string => formatConfig(xmSettingsFromDomain(def), 'xm');
