// xm config → domain XML elements: what only xm configs have (the HVM loader given as
// kernel=, the old "phy:/dev/x,xvda,w" disk syntax, a single usbdevice), on top of what xl
// and xm share.

import { ErrorNumber } from '@tsvirt/core';
import { element, type XmlElement } from '@tsvirt/core/xml';
import type { ConfigReader } from './config-settings.js';
import { isHvm, parseCommonConfig, type DomainParts } from './xen-config-parse.js';
import { bootOrder, diskBus, kernelCmdline, usbInputs } from './xl-config-parse.js';

const text = (name: string, value: string) => element(name, {}, [value]);
const TAP_FORMATS = new Set(['raw', 'qcow', 'qcow2', 'vhd', 'qed', 'vmdk', 'cow', 'dmg', 'iso', 'bochs', 'cloop', 'vpc', 'vdi', 'ploop', 'fat', 'luks']);

function os(r: ConfigReader, p: DomainParts): void {
  if (isHvm(p)) {
    const loader = r.string('kernel');
    if (loader === undefined) throw r.error(ErrorNumber.CONF_SYNTAX, 'config value kernel was missing: an HVM xm config names its loader in kernel=');
    p.os.push(element('loader', { type: 'rom' }, [loader]), ...bootOrder(r));
    return;
  }
  const bootloader = r.string('bootloader');
  if (bootloader !== undefined) p.top.push(text('bootloader', bootloader));
  const bootargs = r.string('bootargs');
  if (bootargs !== undefined) p.top.push(text('bootloader_args', bootargs));
  const kernel = r.string('kernel');
  if (kernel !== undefined) p.os.push(text('kernel', kernel));
  const ramdisk = r.string('ramdisk');
  if (ramdisk !== undefined) p.os.push(text('initrd', ramdisk));
  // xm has no cmdline=: root= and extra= make the command line
  const cmdline = kernelCmdline(r, false);
  if (cmdline !== undefined) p.os.push(text('cmdline', cmdline));
}

/** "SOURCE,DEVICE[:cdrom],MODE": SOURCE is "[driver:[subtype:]]path" or empty (a CD-ROM with no medium). */
function diskElement(r: ConfigReader, spec: string, hvm: boolean): XmlElement {
  const bad = (why: string) => r.error(ErrorNumber.CONF_SYNTAX, `disk '${spec}': ${why}`);
  const c1 = spec.indexOf(',');
  if (c1 < 0) throw bad('expected SOURCE,DEVICE,MODE');
  let source = spec.slice(0, c1);
  let rest = spec.slice(c1 + 1).replace(/^ioemu:/, '');
  const c2 = rest.indexOf(',');
  if (c2 < 0) throw bad('expected SOURCE,DEVICE,MODE');
  let dev = rest.slice(0, c2);
  const mode = rest.slice(c2 + 1);
  rest = '';
  let driver = 'phy';
  let format: string | undefined;
  if (source) {
    const colon = source.indexOf(':');
    if (colon >= 0) {
      driver = source.slice(0, colon);
      source = source.slice(colon + 1);
    }
    if (driver === 'tap' || driver === 'tap2') {
      const sub = source.indexOf(':');
      if (sub < 0) throw bad(`${driver}: needs a format (tap:aio:/path)`);
      const t = source.slice(0, sub);
      format = t === 'aio' ? 'raw' : t;
      if (!TAP_FORMATS.has(format)) throw bad(`Unknown driver type ${t}`);
      source = source.slice(sub + 1);
    }
  }
  let device = 'disk';
  const colon = dev.indexOf(':');
  if (colon >= 0) {
    if (dev.slice(colon) === ':cdrom') device = 'cdrom';
    dev = dev.slice(0, colon);
  }
  if (!dev) throw bad('no device name');
  const type = driver === 'phy' ? 'block' : 'file';
  const children = [element('driver', format ? { name: driver, type: format } : { name: driver })];
  if (source) children.push(element('source', type === 'block' ? { dev: source } : { file: source }));
  children.push(element('target', { dev, bus: diskBus(dev, hvm) }));
  if (mode === 'r' || mode === 'ro') children.push(element('readonly'));
  else if (mode === 'w!' || mode === '!') children.push(element('shareable'));
  return element('disk', { type, device }, children);
}

/** Read an xm config's settings into the parts of a domain. */
export function parseXmConfig(r: ConfigReader): DomainParts {
  const p = parseCommonConfig(r, 'xm');
  os(r, p);
  for (const spec of r.stringOrList('disk') ?? []) p.devices.push(diskElement(r, spec, isHvm(p)));
  if (isHvm(p)) {
    const usb = r.string('usbdevice');
    if (usb !== undefined) p.devices.push(...usbInputs([usb]));
  }
  return p;
}
