// A domain definition → xl.cfg, as libvirt's Xen driver writes it (domxml-to-native
// xen-xl): the shared settings, then the guest's boot, CPUID policy, vNUMA, xenbus
// limits, disks in xl's keyword syntax, SPICE, USB devices and controllers, channels and
// extra device model arguments.

import { ErrorDomain } from '@tsvirt/core';
import { childElement, childElements, textOf, type DiskDef, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import { formatConfig } from './config-format.js';
import { ConfigBuilder } from './config-settings.js';
import type { ConfigSetting } from './config-syntax.js';
import { cpuFeatureToLibxl } from './cpuid-names.js';
import { devicesNamed, formatCommonConfig, hostdevSources, topLevel, unsupported, type FormatContext } from './xen-config-format.js';

const BOOT_LETTERS: Record<string, string> = { fd: 'a', cdrom: 'd', network: 'n', hd: 'c' };

export const bootString = (def: DomainDef) => (def.os.boot.length ? def.os.boot.map((b) => BOOT_LETTERS[b] ?? 'c').join('') : 'c');
export const osChildText = (def: DomainDef, name: string): string | undefined => {
  const el = def.os.extra.find((e) => e.name === name);
  return el && textOf(el).trim();
};
export const topText = (def: DomainDef, name: string): string | undefined => {
  const el = topLevel(def, name);
  return el && textOf(el).trim();
};

/** A PV guest's bootloader: the one named, else pygrub when no kernel is named either (libvirt's libxl driver boots it so). */
export function pvBootloader(def: DomainDef): string | undefined {
  const named = topText(def, 'bootloader');
  if (named !== undefined || def.os.type === 'xenpvh' || def.os.kernel !== undefined) return named;
  return 'pygrub';
}

function directBoot(c: FormatContext): void {
  const { def, out } = c;
  if (def.os.kernel !== undefined) out.setString('kernel', def.os.kernel);
  if (def.os.initrd !== undefined) out.setString('ramdisk', def.os.initrd);
  if (def.os.cmdline !== undefined) out.setString('cmdline', def.os.cmdline);
}

const disabled = (f: XmlElement) => f.attrs.policy === 'disable' || f.attrs.policy === 'forbid';

function os(c: FormatContext): void {
  const { def, out } = c;
  if (!c.hvm) {
    if (def.os.type === 'xenpvh') out.setString('type', 'pvh');
    const bootloader = pvBootloader(def);
    if (bootloader !== undefined) out.setString('bootloader', bootloader);
    const bootargs = topText(def, 'bootloader_args');
    if (bootargs !== undefined) out.setString('bootargs', bootargs);
    directBoot(c);
    return;
  }
  out.setString('builder', 'hvm');
  const loader = def.os.extra.find((e) => e.name === 'loader');
  if (loader?.attrs.type === 'pflash' && loader.attrs.readonly === 'yes') out.setString('bios', 'ovmf');
  const acpi = def.os.extra.find((e) => e.name === 'acpi');
  const slic = acpi && childElements(acpi, 'table').find((t) => t.attrs.type === 'slic');
  if (slic) out.setString('acpi_firmware', textOf(slic).trim());
  directBoot(c);
  out.setString('boot', bootString(def));
  const cpu = topLevel(def, 'cpu');
  if (cpu?.attrs.mode === 'host-passthrough') {
    const noHwVirt = childElements(cpu, 'feature').some((f) => disabled(f) && (f.attrs.name === 'vmx' || f.attrs.name === 'svm'));
    out.setNumber('nestedhvm', !noHwVirt);
  }
}

const POLICY_LETTERS: Record<string, string> = { force: '1', require: '1', optional: 'x', disable: '0', forbid: '0' };

function cpuid(c: FormatContext): void {
  const cpu = topLevel(c.def, 'cpu');
  // only a host-passthrough CPU with features can be said as xl's cpuid=
  if (cpu?.attrs.mode !== 'host-passthrough') return;
  const pairs = childElements(cpu, 'feature')
    .filter((f) => f.attrs.name !== 'vmx' && f.attrs.name !== 'svm')
    .map((f) => `${cpuFeatureToLibxl(f.attrs.name)}=${POLICY_LETTERS[f.attrs.policy ?? 'require'] ?? '1'}`);
  if (pairs.length) c.out.setString('cpuid', ['host', ...pairs].join(','));
}

const KIB_PER: Record<string, number> = { b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, mb: 1e6 / 1024, g: 1024 ** 2, gib: 1024 ** 2, gb: 1e9 / 1024, t: 1024 ** 3, tib: 1024 ** 3 };

/** The NUMA distance matrix as libvirt completes it: a missing distance is its mirror's, else 10 to itself and 20 to others. */
export function numaDistances(cells: XmlElement[]): number[][] {
  const given = cells.map((cell) => {
    const m = new Map<number, number>();
    const d = childElement(cell, 'distances');
    for (const s of d ? childElements(d, 'sibling') : []) m.set(Number(s.attrs.id), Number(s.attrs.value));
    return m;
  });
  return cells.map((_, i) => cells.map((__, j) => given[i].get(j) ?? given[j].get(i) ?? (i === j ? 10 : 20)));
}

export const numaCells = (def: DomainDef): XmlElement[] => {
  const numa = childElement(topLevel(def, 'cpu') ?? { name: '', attrs: {}, children: [], line: 0 }, 'numa');
  return numa ? childElements(numa, 'cell') : [];
};

export const cellMemoryKiB = (cell: XmlElement) => Number(cell.attrs.memory) * (KIB_PER[(cell.attrs.unit ?? 'KiB').toLowerCase()] ?? 1);

function vnuma(c: FormatContext): void {
  const cells = numaCells(c.def);
  const distances = numaDistances(cells);
  c.out.setList('vnuma', cells.map((cell, i) => [
    `pnode=${i}`, `size=${Math.floor(cellMemoryKiB(cell) / 1024)}`, `vcpus=${cell.attrs.cpus ?? ''}`, `vdistances=${distances[i].join(',')}`,
  ]));
}

function xenbusLimits(c: FormatContext): void {
  for (const ctl of devicesNamed(c.def, 'controller')) {
    if (ctl.attrs.type !== 'xenbus') continue;
    if (Number(ctl.attrs.maxEventChannels) > 0) c.out.setNumber('max_event_channels', Number(ctl.attrs.maxEventChannels));
    if (Number(ctl.attrs.maxGrantFrames) > 0) c.out.setNumber('max_grant_frames', Number(ctl.attrs.maxGrantFrames));
  }
}

/** A network disk as QEMU's rbd: string, hosts separated by an escaped ';', a host's port by an escaped ':'. */
export function rbdTarget(d: DiskDef, unsupportedError: (what: string) => Error): string {
  const name = d.source?.name ?? '';
  if (d.source?.protocol !== 'rbd') throw unsupportedError(`Unsupported network block protocol '${d.source?.protocol}'`);
  const image = name.slice(name.indexOf('/') + 1);
  if (image.includes(':')) throw unsupportedError(`':' not allowed in RBD source volume name '${image}'`);
  let s = `rbd:${name}:auth_supported=none`;
  const source = d.element && childElement(d.element, 'source');
  const hosts = source ? childElements(source, 'host') : [];
  if (hosts.length) {
    s += `:mon_host=${hosts.map((h) => {
      const host = (h.attrs.name ?? '').includes(':') ? `[${h.attrs.name!.replaceAll(':', '\\:')}]` : h.attrs.name ?? '';
      return h.attrs.port ? `${host}\\:${h.attrs.port}` : host;
    }).join('\\;')}`;
  }
  return s;
}

const XL_FORMATS: Record<string, string> = { raw: 'raw', vhd: 'vhd', qcow: 'qcow', qcow2: 'qcow2', qed: 'qed' };
const BACKENDS: Record<string, string> = { qemu: 'qdisk', file: 'qdisk', tap: 'tap', phy: 'phy' };

function diskSpec(c: FormatContext, d: DiskDef): string {
  let s = `format=${XL_FORMATS[d.driver?.type ?? 'raw'] ?? 'raw'},vdev=${d.target.dev},access=${d.readonly ? 'ro' : d.shareable ? '!' : 'rw'}`;
  if (d.element && childElement(d.element, 'transient')) throw unsupported(c, 'transient disks not supported yet');
  const backend = d.driver?.name !== undefined ? BACKENDS[d.driver.name] : undefined;
  if (backend) s += `,backendtype=${backend}`;
  if (d.device === 'cdrom') s += ',devtype=cdrom';
  // target= takes the rest of the specification: it comes last
  const target = d.type === 'network' ? rbdTarget(d, (what) => unsupported(c, what)) : d.source?.file ?? d.source?.dev ?? d.source?.dir;
  if (target) s += `,target=${target}`;
  return s;
}

function spice(c: FormatContext): void {
  const g = devicesNamed(c.def, 'graphics')[0];
  if (!c.hvm || g?.attrs.type !== 'spice') return;
  const { out } = c;
  out.setNumber('sdl', 0);
  out.setNumber('vnc', 0);
  out.setNumber('spice', 1);
  const listen = g.attrs.listen ?? childElements(g, 'listen').find((l) => l.attrs.address)?.attrs.address;
  if (listen !== undefined) out.setString('spicehost', listen);
  out.setNumber('spiceport', Math.max(0, Number(g.attrs.port ?? 0)));
  out.setNumber('spicetls_port', Math.max(0, Number(g.attrs.tlsPort ?? 0)));
  if (g.attrs.passwd !== undefined) {
    out.setNumber('spicedisable_ticketing', 0);
    out.setString('spicepasswd', g.attrs.passwd);
  } else out.setNumber('spicedisable_ticketing', 1);
  const mouse = childElement(g, 'mouse')?.attrs.mode;
  if (mouse === 'server') out.setNumber('spiceagent_mouse', 0);
  if (mouse === 'client') {
    out.setNumber('spiceagent_mouse', 1);
    // the client mouse mode needs the vdagent
    out.setNumber('spicevdagent', 1);
  }
  if (childElement(g, 'clipboard')?.attrs.copypaste === 'yes') {
    out.setNumber('spice_clipboard_sharing', 1);
    out.setNumber('spicevdagent', 1);
  }
}

/** USB input devices of an HVM guest: usb = 1 and usbdevice = one name or a list. */
export function usbInputs(c: FormatContext, asList: boolean): void {
  if (!c.hvm) return;
  const names: string[] = [];
  for (const i of devicesNamed(c.def, 'input')) {
    if (i.attrs.bus !== 'usb') continue;
    c.out.setNumber('usb', 1);
    if (i.attrs.type === 'mouse' || i.attrs.type === 'tablet' || i.attrs.type === 'keyboard') names.push(i.attrs.type);
  }
  if (names.length === 1 || (names.length && !asList)) c.out.setString('usbdevice', names[names.length - 1]);
  else c.out.setList('usbdevice', names);
}

function usbHostdevs(c: FormatContext): void {
  const hex = (v: string | undefined) => Number(v).toString(16);
  c.out.setList('usbdev', hostdevSources(c, 'usb').map(({ address: a }) => `hostbus=${hex(a.attrs.bus)},hostaddr=${hex(a.attrs.device)}`));
}

function usbControllers(c: FormatContext): void {
  const list: string[] = [];
  for (const ctl of devicesNamed(c.def, 'controller')) {
    if (ctl.attrs.type !== 'usb') continue;
    let s = '';
    const model = ctl.attrs.model;
    if (model === 'qusb1' || model === 'qusb2') s += `type=qusb,version=${model === 'qusb1' ? 1 : 2},`;
    else if (model !== undefined) throw unsupported(c, `USB controller model '${model}' (Xen has qusb1 and qusb2)`);
    if (ctl.attrs.ports !== undefined) s += `ports=${Number(ctl.attrs.ports).toString(16)}`;
    list.push(s);
  }
  c.out.setList('usbctrl', list);
}

function channels(c: FormatContext): void {
  const list: string[] = [];
  for (const ch of devicesNamed(c.def, 'channel')) {
    const target = childElement(ch, 'target');
    if (target?.attrs.type !== 'xen') continue;
    let s = 'connection=';
    if (ch.attrs.type === 'pty') s += 'pty,';
    else if (ch.attrs.type === 'unix') {
      s += 'socket,';
      const path = childElement(ch, 'source')?.attrs.path;
      if (path) s += `path=${path},`;
    } else throw unsupported(c, `a Xen channel of type '${ch.attrs.type}' (Xen has pty and unix)`);
    list.push(`${s}name=${target.attrs.name ?? ''}`);
  }
  c.out.setList('channel', list);
}

function deviceModelArgs(c: FormatContext): void {
  const cmd = c.def.extra.find((e) => e.name.endsWith(':commandline') && c.def.namespaces?.[`xmlns:${e.name.split(':')[0]}`] === 'http://libvirt.org/schemas/domain/xen/1.0');
  if (cmd) c.out.setList('device_model_args', childElements(cmd).map((a) => a.attrs.value ?? ''));
}

/** The xl.cfg settings for a domain definition (with the Xen driver's defaults applied). */
export function xlSettingsFromDomain(def: DomainDef): ConfigSetting[] {
  const c: FormatContext = { def, out: new ConfigBuilder(), format: 'xl', errorDomain: ErrorDomain.XENXL, hvm: def.os.type === 'hvm' };
  formatCommonConfig(c);
  os(c);
  cpuid(c);
  vnuma(c);
  xenbusLimits(c);
  c.out.setList('disk', c.def.devices.flatMap((d) => (d.kind === 'disk' && d.device !== 'floppy' ? [diskSpec(c, d)] : [])));
  spice(c);
  usbInputs(c, true);
  usbHostdevs(c);
  usbControllers(c);
  channels(c);
  deviceModelArgs(c);
  return c.out.result();
}

/** A domain definition as xl.cfg text. */
export const domainToXlConfig = (def: DomainDef): string => formatConfig(xlSettingsFromDomain(def), 'xl');
