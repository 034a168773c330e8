import { escapeXml, formatAttrs, formatElement, type XmlElement } from '../xml-element.js';
import { inCanonicalOrder } from './child-order.js';
import type { DeviceDef, DiskDef, DomainDef, InterfaceDef } from './domain-def.js';

export interface DomainFormatOptions {
  /** the running domain's id; omitted (and live-only details dropped) when inactive */
  id?: number;
  inactive?: boolean;
}

// libvirt's order of top-level elements and of device kinds in <devices>.
const TOP_ORDER = ['name', 'uuid', 'genid', 'title', 'description', 'metadata', 'maxMemory', 'memory', 'currentMemory', 'blkiotune', 'memtune', 'memoryBacking', 'vcpu', 'vcpus', 'iothreads', 'iothreadids', 'cputune', 'numatune', 'resource', 'sysinfo', 'bootloader', 'bootloader_args', 'os', 'idmap', 'features', 'cpu', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'on_lockfailure', 'pm', 'perf', 'devices', 'seclabel', 'keywrap', 'launchSecurity'];
const DEVICE_ORDER = ['emulator', 'disk', 'controller', 'lease', 'filesystem', 'interface', 'smartcard', 'serial', 'parallel', 'console', 'channel', 'input', 'tpm', 'graphics', 'sound', 'audio', 'video', 'hostdev', 'redirdev', 'redirfilter', 'hub', 'watchdog', 'memballoon', 'rng', 'panic', 'shmem', 'memory', 'iommu', 'vsock', 'crypto'];
const rank = (order: string[], name: string) => {
  const i = order.indexOf(name);
  return i < 0 ? order.indexOf('devices') + 0.5 : i;
};
const IFACE_BEFORE_TARGET = new Set(['virtualport', 'ip', 'route', 'script', 'downscript', 'backenddomain']);

const el = (indent: string, name: string, attrs: Record<string, string | number | undefined>) => `${indent}<${name}${formatAttrs(attrs)}/>\n`;
const textEl = (indent: string, name: string, text: string, attrs: Record<string, string | number | undefined> = {}) =>
  `${indent}<${name}${formatAttrs(attrs)}>${escapeXml(text)}</${name}>\n`;
const raw = (list: XmlElement[], indent: string) => list.map((e) => formatElement(e, indent)).join('');

function formatDisk(d: DiskDef, i: string, live: boolean): string {
  const c = `${i}  `;
  let s = `${i}<disk${formatAttrs({ type: d.type, device: d.device, rawio: d.rawio })}>\n`;
  if (d.driver) s += el(c, 'driver', d.driver);
  if (d.source) s += el(c, 'source', d.source);
  s += raw(d.extra.filter((e) => e.name === 'backingStore'), c);
  s += el(c, 'target', { dev: d.target.dev, bus: d.target.bus, tray: d.target.tray });
  s += raw(d.extra.filter((e) => e.name !== 'backingStore'), c);
  if (d.readonly) s += `${c}<readonly/>\n`;
  if (d.shareable) s += `${c}<shareable/>\n`;
  if (d.serial !== undefined) s += textEl(c, 'serial', d.serial);
  if (live && d.alias) s += el(c, 'alias', { name: d.alias });
  if (d.address) s += el(c, 'address', d.address);
  return `${s}${i}</disk>\n`;
}

function formatInterface(n: InterfaceDef, i: string, live: boolean): string {
  const c = `${i}  `;
  let s = `${i}<interface${formatAttrs({ type: n.type })}>\n`;
  if (n.mac) s += el(c, 'mac', { address: n.mac });
  if (n.source) s += el(c, 'source', n.source);
  s += raw(n.extra.filter((e) => IFACE_BEFORE_TARGET.has(e.name)), c);
  if (n.targetDev) s += el(c, 'target', { dev: n.targetDev });
  if (n.model) s += el(c, 'model', { type: n.model });
  s += raw(n.extra.filter((e) => !IFACE_BEFORE_TARGET.has(e.name)), c);
  if (live && n.alias) s += el(c, 'alias', { name: n.alias });
  if (n.address) s += el(c, 'address', n.address);
  return `${s}${i}</interface>\n`;
}

export function formatDevice(d: DeviceDef, indent: string, live = true): string {
  if (d.kind === 'disk') return formatDisk(d, indent, live);
  if (d.kind === 'interface') return formatInterface(d, indent, live);
  return formatElement(d.element, indent);
}

/** The devices in libvirt's order: grouped by kind, in definition order within a kind. */
export function sortedDevices(devices: DeviceDef[]): DeviceDef[] {
  const name = (d: DeviceDef) => (d.kind === 'other' ? d.element.name : d.kind);
  return devices.map((d, i) => ({ d, i })).sort((a, b) => rank(DEVICE_ORDER, name(a.d)) - rank(DEVICE_ORDER, name(b.d)) || a.i - b.i).map((x) => x.d);
}

/** A domain definition as libvirt formats it: element order, defaults filled in, two-space indent. */
export function formatDomainXml(def: DomainDef, opts: DomainFormatOptions = {}): string {
  const live = !opts.inactive && opts.id !== undefined;
  const parts: { name: string; text: string }[] = [];
  const add = (name: string, text: string) => parts.push({ name, text });
  add('name', textEl('  ', 'name', def.name));
  add('uuid', textEl('  ', 'uuid', def.uuid));
  if (def.title !== undefined) add('title', textEl('  ', 'title', def.title));
  if (def.description !== undefined) add('description', textEl('  ', 'description', def.description));
  if (def.metadata) add('metadata', formatElement(def.metadata, '  ', '"'));
  add('memory', textEl('  ', 'memory', String(def.memory), { unit: 'KiB' }));
  add('currentMemory', textEl('  ', 'currentMemory', String(def.currentMemory), { unit: 'KiB' }));
  add('vcpu', textEl('  ', 'vcpu', String(def.vcpu.max), { placement: def.vcpu.placement, cpuset: def.vcpu.cpuset, current: def.vcpu.current }));
  let os = '  <os>\n';
  os += textEl('    ', 'type', def.os.type, { arch: def.os.arch, machine: def.os.machine });
  os += raw(def.os.extra.filter((e) => e.name === 'loader' || e.name === 'nvram'), '    ');
  if (def.os.kernel !== undefined) os += textEl('    ', 'kernel', def.os.kernel);
  if (def.os.initrd !== undefined) os += textEl('    ', 'initrd', def.os.initrd);
  if (def.os.cmdline !== undefined) os += textEl('    ', 'cmdline', def.os.cmdline);
  os += raw(def.os.extra.filter((e) => e.name !== 'loader' && e.name !== 'nvram'), '    ');
  for (const b of def.os.boot) os += el('    ', 'boot', { dev: b });
  add('os', `${os}  </os>\n`);
  add('clock', el('  ', 'clock', { offset: def.clockOffset }));
  add('on_poweroff', textEl('  ', 'on_poweroff', def.onPoweroff));
  add('on_reboot', textEl('  ', 'on_reboot', def.onReboot));
  add('on_crash', textEl('  ', 'on_crash', def.onCrash));
  if (def.devices.length) {
    add('devices', `  <devices>\n${sortedDevices(def.devices).map((d) => formatDevice(d, '    ', live)).join('')}  </devices>\n`);
  } else {
    add('devices', '  <devices>\n  </devices>\n');
  }
  for (const e of def.extra) add(e.name, formatElement(inCanonicalOrder(e), '  '));
  parts.sort((a, b) => rank(TOP_ORDER, a.name) - rank(TOP_ORDER, b.name));
  const head = `<domain${formatAttrs({ type: def.type, id: live ? opts.id : undefined })}>\n`;
  return `${head}${parts.map((p) => p.text).join('')}</domain>\n`;
}
