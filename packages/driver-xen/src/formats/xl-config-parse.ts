// xl.cfg → domain XML elements: what only xl.cfg has (xl's disk syntax, vNUMA, CPUID
// policy, SPICE, USB controllers and host devices, channels, grant and event channel
// limits, extra device model arguments), on top of what xl and xm share.

import { ErrorNumber } from '@tsvirt/core';
import { element, formatIdList, parseIdList, type XmlElement } from '@tsvirt/core/xml';
import type { ConfigReader } from './config-settings.js';
import { keyValues } from './vif-spec.js';
import { isHvm, parseCommonConfig, type DomainParts } from './xen-config-parse.js';
import { DiskSpecError, parseXlDisk, type XlDisk } from './xl-disk-spec.js';
import { cpuFeatureFromLibxl } from './cpuid-names.js';
import { MAX_NUMA_NODES } from './xen-domain-defaults.js';

export const HVM_LOADER = '/usr/lib/xen/boot/hvmloader';
export const OVMF_LOADER = '/usr/lib/xen/boot/ovmf.bin';
const BOOT_DEVICES: Record<string, string> = { a: 'fd', d: 'cdrom', n: 'network', c: 'hd' };

const text = (name: string, value: string) => element(name, {}, [value]);

/** The kernel command line: cmdline= (xl only), else root= and extra= joined as xl joins them. */
export function kernelCmdline(r: ConfigReader, withCmdline = true): string | undefined {
  const cmdline = withCmdline ? r.string('cmdline') : undefined;
  if (cmdline !== undefined) return cmdline;
  const root = r.string('root');
  const extra = r.string('extra');
  if (root !== undefined) return extra !== undefined ? `root=${root} ${extra}` : `root=${root}`;
  return extra;
}

export function bootOrder(r: ConfigReader): XmlElement[] {
  return [...r.string('boot', 'c').slice(0, 4)].map((c) => element('boot', { dev: BOOT_DEVICES[c] ?? 'hd' }));
}

function directBoot(r: ConfigReader, p: DomainParts): void {
  const kernel = r.string('kernel');
  if (kernel !== undefined) p.os.push(text('kernel', kernel));
  const ramdisk = r.string('ramdisk');
  if (ramdisk !== undefined) p.os.push(text('initrd', ramdisk));
  const cmdline = kernelCmdline(r);
  if (cmdline !== undefined) p.os.push(text('cmdline', cmdline));
}

function os(r: ConfigReader, p: DomainParts): void {
  if (!isHvm(p)) {
    if (p.osType === 'linux' && !r.has('kernel') && !r.has('bootloader')) {
      throw r.error(ErrorNumber.CONF_SYNTAX, 'Neither kernel nor bootloader specified: a PV guest boots kernel= or through bootloader= (pygrub)');
    }
    const bootloader = r.string('bootloader');
    if (bootloader !== undefined) p.top.push(text('bootloader', bootloader));
    const bootargs = r.string('bootargs');
    if (bootargs !== undefined) p.top.push(text('bootloader_args', bootargs));
    directBoot(r, p);
    return;
  }
  p.os.push(r.string('bios') === 'ovmf'
    ? element('loader', { readonly: 'yes', type: 'pflash' }, [OVMF_LOADER])
    : element('loader', { type: 'rom' }, [HVM_LOADER]));
  const slic = r.string('acpi_firmware');
  if (slic !== undefined) p.os.push(element('acpi', {}, [element('table', { type: 'slic' }, [slic])]));
  directBoot(r, p);
  p.os.push(...bootOrder(r));
  const nested = r.bool('nestedhvm', undefined);
  if (nested !== undefined) {
    p.cpu ??= element('cpu', { mode: 'host-passthrough' });
    if (!nested) p.cpu.children.push(element('feature', { policy: 'disable', name: 'vmx' }));
  }
}

function vnuma(r: ConfigReader, p: DomainParts): void {
  const list = r.value('vnuma');
  if (list?.kind !== 'list') return;
  const nodes = list.items.filter((i) => i.kind === 'list');
  if (list.items.length > MAX_NUMA_NODES) throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `vnuma: more than ${MAX_NUMA_NODES} nodes (Xen's most)`);
  const cells: XmlElement[] = [];
  let vcpuCount = 0;
  list.items.forEach((node, n) => {
    const fields = new Map<string, string>();
    if (node.kind === 'list') {
      for (const item of node.items) {
        if (item.kind === 'list') continue;
        const eq = item.text.lastIndexOf('=');
        if (eq < 0) throw r.error(ErrorNumber.CONF_SYNTAX, `vnuma vnode invalid format '${item.text}'`);
        const key = ['pnode', 'size', 'vcpus', 'vdistances'].find((k) => item.text.startsWith(k));
        if (!key) throw r.error(ErrorNumber.CONF_SYNTAX, `Invalid vnuma configuration for vnode ${n}`);
        if (eq + 1 < item.text.length) fields.set(key, item.text.slice(eq + 1));
      }
    }
    const pnode = fields.get('pnode');
    const size = fields.get('size');
    const cpus = fields.get('vcpus');
    if (pnode === undefined || cpus === undefined || !size || !/^[0-9]+$/.test(size) || Number(size) === 0) {
      throw r.error(ErrorNumber.CONF_SYNTAX, `Incomplete vnuma configuration for vnode ${n}`);
    }
    if (!/^[0-9]+$/.test(pnode) || Number(pnode) >= nodes.length) {
      throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `vnuma vnode ${n} contains invalid pnode value '${pnode}'`);
    }
    const ids = parseIdList(cpus, 4096);
    vcpuCount += ids.length;
    const cell = element('cell', { id: String(n), cpus: formatIdList(ids), memory: String(Number(size) * 1024), unit: 'KiB' });
    const distances = fields.get('vdistances');
    if (distances !== undefined) {
      const values = distances.split(',');
      if (values.length !== nodes.length) {
        throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `vnuma pnode ${pnode} configured 'vdistances=${distances}' (count ${values.length}) doesn't fit the number of specified vnodes ${nodes.length}`);
      }
      cell.children.push(element('distances', {}, values.map((v, i) => element('sibling', { id: String(i), value: String(Number(v)) }))));
    }
    cells.push(cell);
  });
  const vcpu = p.top.find((e) => e.name === 'vcpu')!;
  const max = Number(vcpu.children[0]);
  if (max < vcpuCount) throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `vnuma configuration contains ${vcpuCount} vcpus, which is greater than ${max} maxvcpus`);
  p.cpu = element('cpu', {}, [element('numa', {}, cells)]);
}

function xenbusLimits(r: ConfigReader, p: DomainParts): void {
  const attrs: Record<string, string> = { type: 'xenbus', index: '0' };
  const grant = r.number('max_grant_frames', 0);
  if (grant > 0) attrs.maxGrantFrames = String(grant);
  const events = r.number('max_event_channels', 0);
  if (events > 0) attrs.maxEventChannels = String(events);
  p.devices.push(element('controller', attrs));
}

function cpuid(r: ConfigReader, p: DomainParts): void {
  const spec = r.string('cpuid');
  if (spec === undefined) return;
  p.cpu ??= element('cpu', { mode: 'host-passthrough' });
  const pairs = spec.split(',');
  if (pairs[0] === '') return;
  if (pairs[0] !== 'host') throw r.error(ErrorNumber.CONF_SYNTAX, `cpuid starting with ${pairs[0]} is not supported, only libxl format is`);
  const policies: Record<string, string> = { 1: 'force', 0: 'disable', x: 'optional', k: 'optional', s: 'optional' };
  for (const pair of pairs.slice(1)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw r.error(ErrorNumber.CONF_SYNTAX, `Invalid libxl cpuid key=value element: ${pair}`);
    const policy = policies[pair.slice(eq + 1)];
    if (!policy) throw r.error(ErrorNumber.CONF_SYNTAX, `Invalid libxl cpuid value: ${pair}`);
    p.cpu.children.push(element('feature', { policy, name: cpuFeatureFromLibxl(pair.slice(0, eq)) }));
  }
}

/** A disk source: a path, or an RBD volume written as QEMU's "rbd:pool/image:opt=value..." string. */
function diskSource(r: ConfigReader, path: string, type: string): { type: string; source: XmlElement } {
  if (!path.startsWith('rbd:')) return { type, source: element('source', type === 'block' ? { dev: path } : { file: path }) };
  const [name, ...options] = splitRbd(path.slice(4));
  const hosts: XmlElement[] = [];
  for (const opt of options) {
    const eq = opt.indexOf('=');
    if (opt.slice(0, eq) !== 'mon_host') continue;
    // hosts are separated by an escaped ';', a host from its port by an escaped ':'
    for (const host of opt.slice(eq + 1).split('\\;')) {
      const [hostName, port] = host.split('\\:').map(unescape);
      if (!hostName) throw r.error(ErrorNumber.CONF_SYNTAX, `rbd disk '${path}': empty mon_host entry`);
      hosts.push(element('host', port ? { name: hostName.replace(/^\[(.*)\]$/, '$1'), port } : { name: hostName }));
    }
  }
  return { type: 'network', source: element('source', { protocol: 'rbd', name }, hosts) };
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/** The options of a QEMU rbd: string: the first is the volume, the rest key=value (escapes kept for the values' own splitting). */
function splitRbd(s: string): string[] {
  const out = [''];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) out[out.length - 1] += s[i] + s[++i];
    else if (s[i] === ':') out.push('');
    else out[out.length - 1] += s[i];
  }
  return out;
}

const DISK_FORMATS: Record<string, string> = { qcow: 'qcow', qcow2: 'qcow2', vhd: 'vhd', raw: 'raw', qed: 'qed' };
const DISK_DRIVERS: Record<string, [string, string | undefined]> = { qdisk: ['qemu', undefined], tap: ['tap', 'file'], phy: ['phy', 'block'] };

export function diskBus(vdev: string, hvm: boolean): string {
  if (vdev.startsWith('xvd') || !hvm) return 'xen';
  return vdev.startsWith('sd') ? 'scsi' : 'ide';
}

function diskElement(r: ConfigReader, d: XlDisk, hvm: boolean): XmlElement {
  const children: XmlElement[] = [];
  let type = 'file';
  let source: XmlElement | undefined;
  if (d.isCdrom) {
    children.push(element('driver', d.pdevPath ? { name: 'qemu', type: 'raw' } : { name: 'qemu' }));
    if (d.pdevPath) source = element('source', { file: d.pdevPath });
  } else {
    if (d.backend === 'standalone') throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, 'disk backend not supported: standalone');
    const [driver, forced] = DISK_DRIVERS[d.backend ?? 'qdisk'];
    if (forced) type = forced;
    const format = d.format === 'empty' ? undefined : DISK_FORMATS[d.format];
    children.push(element('driver', format ? { name: driver, type: format } : { name: driver }));
    if (d.pdevPath) ({ type, source } = diskSource(r, d.pdevPath, type));
  }
  if (source) children.push(source);
  children.push(element('target', { dev: d.vdev, bus: diskBus(d.vdev, hvm) }));
  if (!d.readwrite) children.push(element('readonly'));
  return element('disk', { type, device: d.isCdrom ? 'cdrom' : 'disk' }, children);
}

function disks(r: ConfigReader, p: DomainParts): void {
  for (const spec of r.strings('disk') ?? []) {
    let disk: XlDisk;
    try {
      disk = parseXlDisk(spec);
    } catch (e) {
      if (e instanceof DiskSpecError) throw r.error(ErrorNumber.CONF_SYNTAX, `config parsing error in disk specification: ${e.message}`);
      throw e;
    }
    p.devices.push(diskElement(r, disk, isHvm(p)));
  }
}

function spice(r: ConfigReader, p: DomainParts): void {
  if (!isHvm(p) || !r.bool('spice', false)) return;
  const tlsPort = r.number('spicetls_port', 0);
  const port = r.number('spiceport', 0);
  const attrs: Record<string, string> = { type: 'spice' };
  if (port) attrs.port = String(port);
  if (tlsPort) attrs.tlsPort = String(tlsPort);
  attrs.autoport = !port && !tlsPort ? 'yes' : 'no';
  const host = r.string('spicehost');
  if (host !== undefined) attrs.listen = host;
  if (!r.bool('spicedisable_ticketing', false)) {
    const passwd = r.string('spicepasswd');
    if (passwd === undefined) throw r.error(ErrorNumber.CONF_SYNTAX, 'config value spicepasswd was missing: SPICE with ticketing needs a password (or spicedisable_ticketing = 1)');
    attrs.passwd = passwd;
  }
  p.devices.push(element('graphics', attrs, [
    element('mouse', { mode: r.bool('spiceagent_mouse', false) ? 'client' : 'server' }),
    element('clipboard', { copypaste: r.bool('spice_clipboard_sharing', false) ? 'yes' : 'no' }),
  ]));
}

export function usbInputs(values: string[]): XmlElement[] {
  const types: Record<string, string> = { mouse: 'mouse', tablet: 'tablet', keyboard: 'keyboard' };
  return values.filter((v) => types[v]).map((v) => element('input', { type: types[v], bus: 'usb' }));
}

function usbHostdevs(r: ConfigReader, p: DomainParts): void {
  for (const spec of r.strings('usbdev') ?? []) {
    const o = keyValues(spec);
    const bus = o.get('hostbus');
    const addr = o.get('hostaddr');
    if (!bus || !addr || !/^[0-9a-fA-F]{1,2}$/.test(bus) || !/^[0-9a-fA-F]{1,2}$/.test(addr)) {
      throw r.error(ErrorNumber.CONF_SYNTAX, `usbdev '${spec}': expected hostbus=N,hostaddr=N`);
    }
    p.devices.push(element('hostdev', { mode: 'subsystem', type: 'usb', managed: 'no' }, [
      element('source', {}, [element('address', { bus: String(parseInt(bus, 16)), device: String(parseInt(addr, 16)) })]),
    ]));
  }
}

function usbControllers(r: ConfigReader, p: DomainParts): void {
  for (const spec of r.strings('usbctrl') ?? []) {
    const o = keyValues(spec);
    const type = o.get('type');
    if (type !== undefined && !type.startsWith('qusb')) continue;
    const version = parseInt(o.get('version') ?? '2', 16);
    const ports = parseInt(o.get('ports') ?? '8', 16);
    // libxl's USB controllers have 1 to 31 ports
    if (!Number.isFinite(version) || !(ports >= 1 && ports <= 31)) throw r.error(ErrorNumber.CONF_SYNTAX, `usbctrl '${spec}': version is a number and ports one from 1 to 31`);
    p.devices.push(element('controller', { type: 'usb', model: version === 1 ? 'qusb1' : 'qusb2', ports: String(ports) }));
  }
}

function channels(r: ConfigReader, p: DomainParts): void {
  for (const spec of r.strings('channel') ?? []) {
    const o = keyValues(spec);
    const connection = o.get('connection') ?? '';
    const target = element('target', { type: 'xen', name: o.get('name') ?? '' });
    if (connection.startsWith('socket')) {
      p.devices.push(element('channel', { type: 'unix' }, [element('source', { mode: 'bind', path: o.get('path') ?? '' }), target]));
    } else if (connection.startsWith('pty')) {
      p.devices.push(element('channel', { type: 'pty' }, [target]));
    } else throw r.error(ErrorNumber.CONF_SYNTAX, `channel '${spec}': connection must be pty or socket`);
  }
}

export const XEN_NAMESPACE = 'http://libvirt.org/schemas/domain/xen/1.0';

function deviceModelArgs(r: ConfigReader, p: DomainParts): void {
  const args = r.strings('device_model_args');
  if (!args?.length) return;
  p.top.push(element('xen:commandline', {}, args.map((value) => element('xen:arg', { value }))));
}

/** Read an xl.cfg's settings into the parts of a domain. */
export function parseXlConfig(r: ConfigReader): DomainParts {
  const p = parseCommonConfig(r, 'xl');
  os(r, p);
  vnuma(r, p);
  xenbusLimits(r, p);
  cpuid(r, p);
  disks(r, p);
  spice(r, p);
  if (isHvm(p)) p.devices.push(...usbInputs(r.stringOrList('usbdevice') ?? []));
  usbHostdevs(r, p);
  usbControllers(r, p);
  channels(r, p);
  deviceModelArgs(r, p);
  return p;
}
