// Domain definition → QEMU argv. Pure: no file system, no process, no clock,
// so that `virsh domxml-to-native` and a start give the same arguments. The
// QMP monitor and pidfile are added by QemuProcess, not here.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import {
  childElement, childElements, childText, defaultDiskBus, diskNameToIndex, textOf, type DiskDef, type DomainDef, type InterfaceDef,
  type XmlElement,
} from '@tsvirt/core/xml';
import { parsePciAddress } from '@tsvirt/core/driver';
import { isQ35 } from './pci-addresses.js';
import { qemuOpts } from './qemu-opts.js';

const unsupported = (what: string) => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.QEMU, what);

/** Top-level elements that need no argument of their own (read elsewhere, or only metadata). */
// cputune's vcpupin is applied to the vCPU threads once QEMU runs (see thread-affinity.ts).
const PASSIVE_TOP_LEVEL = new Set(['features', 'cpu', 'pm', 'seclabel', 'resource', 'sysinfo', 'cputune']);
const ACCELERATORS: Record<string, string> = { kvm: 'kvm', qemu: 'tcg' };
const BOOT_LETTERS: Record<string, string> = { hd: 'c', cdrom: 'd', network: 'n', fd: 'a' };
const NIC_MODELS: Record<string, string> = { virtio: 'virtio-net-pci', e1000: 'e1000', e1000e: 'e1000e', rtl8139: 'rtl8139' };
const VIDEO_MODELS: Record<string, string> = { vga: 'VGA', cirrus: 'cirrus-vga', virtio: 'virtio-vga', qxl: 'qxl-vga', bochs: 'bochs-display' };

/** What this module can turn into arguments, for the domain capabilities XML. */
export const SUPPORTED_DEVICES = {
  diskDevice: ['disk', 'cdrom'],
  diskBus: ['ide', 'scsi', 'virtio', 'usb', 'sata'],
  graphicsType: ['vnc'],
  videoModelType: [...Object.keys(VIDEO_MODELS), 'none'],
  interfaceType: ['user', 'ethernet', 'bridge', 'network'],
  interfaceModel: Object.keys(NIC_MODELS),
} as const;
const USB_CONTROLLERS: Record<string, string> = { 'piix3-uhci': 'piix3-usb-uhci', ehci: 'usb-ehci', 'qemu-xhci': 'qemu-xhci', 'nec-xhci': 'nec-usb-xhci' };
const INPUT_DEVICES: Record<string, Record<string, string>> = {
  usb: { tablet: 'usb-tablet', mouse: 'usb-mouse', keyboard: 'usb-kbd' },
  virtio: { tablet: 'virtio-tablet-pci', mouse: 'virtio-mouse-pci', keyboard: 'virtio-keyboard-pci' },
};

export interface NativeOptions {
  /** Whether QEMU should start with its vCPUs stopped (-S); the driver starts it so and resumes after setup. */
  paused?: boolean;
}

/** The QEMU arguments for a domain, or VIR_ERR_CONFIG_UNSUPPORTED naming what cannot be expressed. */
export function domainToQemuArgs(def: DomainDef, options: NativeOptions = {}): string[] {
  const accel = ACCELERATORS[def.type];
  if (!accel) throw unsupported(`domain type '${def.type}' is not supported by the QEMU driver`);
  if (def.os.type !== 'hvm') throw unsupported(`OS type '${def.os.type}'`);
  for (const el of def.extra) if (!PASSIVE_TOP_LEVEL.has(el.name)) throw unsupported(`element <${el.name}>`);

  const features = def.extra.find((e) => e.name === 'features');
  const cpu = def.extra.find((e) => e.name === 'cpu');
  const args = [
    '-name', qemuOpts(undefined, { guest: def.name, 'debug-threads': true }),
    '-machine', qemuOpts(def.os.machine ?? 'pc', { acpi: features && childElement(features, 'acpi') ? undefined : false, usb: false }),
    '-accel', accel,
    ...cpuArgs(cpu, def),
    ...memoryArgs(def, cpu),
    '-uuid', def.uuid,
    '-no-user-config', '-nodefaults',
    '-rtc', qemuOpts(undefined, { base: def.clockOffset === 'localtime' ? 'localtime' : 'utc' }),
  ];
  if (def.onReboot === 'destroy') args.push('-no-reboot');
  if (options.paused) args.push('-S');
  args.push(...bootArgs(def));
  args.push(...deviceArgs(def));
  return args;
}

function cpuArgs(cpu: XmlElement | undefined, def: DomainDef): string[] {
  const args: string[] = [];
  if (cpu) {
    const mode = cpu.attrs.mode ?? 'custom';
    const features = childElements(cpu, 'feature').map((f) => ({
      [f.attrs.name]: f.attrs.policy === 'disable' || f.attrs.policy === 'forbid' ? false : true,
    }));
    let model: string | undefined;
    if (mode === 'host-passthrough' || mode === 'host-model') model = def.type === 'kvm' ? 'host' : 'max';
    else if (mode === 'maximum') model = 'max';
    else if (mode === 'custom') model = childText(cpu, 'model');
    else throw unsupported(`CPU mode '${mode}'`);
    if (model) args.push('-cpu', qemuOpts(model, Object.assign({}, ...features)));
  }
  const topology = cpu && childElement(cpu, 'topology');
  const t = topology?.attrs ?? {};
  args.push('-smp', qemuOpts(String(def.vcpu.current ?? def.vcpu.max), {
    maxcpus: def.vcpu.max, sockets: t.sockets, dies: t.dies, cores: t.cores, threads: t.threads,
  }));
  return args;
}

/** -m, and one RAM backend and -numa node per NUMA cell. */
function memoryArgs(def: DomainDef, cpu: XmlElement | undefined): string[] {
  const args = ['-m', qemuOpts(undefined, { size: `${def.memory}k` })];
  const numa = cpu && childElement(cpu, 'numa');
  if (!numa) return args;
  for (const [index, cell] of childElements(numa, 'cell').entries()) {
    const id = cell.attrs.id ?? String(index);
    const kib = cellMemoryKiB(cell);
    args.push('-object', qemuOpts('memory-backend-ram', { id: `ram-node${id}`, size: kib * 1024 }));
    // "cpus=0-1,3" is written as one cpus= per range.
    const ranges = (cell.attrs.cpus ?? '').split(',').filter(Boolean).map((r) => `cpus=${r}`);
    args.push('-numa', ['node', `nodeid=${id}`, ...ranges, `memdev=ram-node${id}`].join(','));
  }
  return args;
}

const UNIT_KIB: Record<string, number> = { b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, m: 1024, mib: 1024, g: 1024 ** 2, gib: 1024 ** 2 };

function cellMemoryKiB(cell: XmlElement): number {
  const factor = UNIT_KIB[(cell.attrs.unit ?? 'KiB').toLowerCase()];
  const value = Number(cell.attrs.memory);
  if (!factor || !Number.isFinite(value)) throw unsupported(`NUMA cell memory '${cell.attrs.memory} ${cell.attrs.unit ?? ''}'`);
  return Math.round(value * factor);
}

function bootArgs(def: DomainDef): string[] {
  const { os } = def;
  if (os.kernel) {
    const args = ['-kernel', os.kernel];
    if (os.initrd) args.push('-initrd', os.initrd);
    if (os.cmdline !== undefined) args.push('-append', os.cmdline);
    return args;
  }
  if (os.initrd || os.cmdline !== undefined) throw unsupported('<initrd> or <cmdline> without <kernel>');
  const order = os.boot.map((b) => {
    const letter = BOOT_LETTERS[b];
    if (!letter) throw unsupported(`boot device '${b}'`);
    return letter;
  });
  return order.length ? ['-boot', qemuOpts(undefined, { order: order.join(''), strict: true })] : [];
}

/** A disk's target name as an index: vda → 0, hdc → 2, sdab → 27; names with a partition or of a floppy are not QEMU disks. */
export function diskIndex(dev: string): number {
  const index = /^(?:[hsv]d|xvd)[a-z]+$/.test(dev) ? diskNameToIndex(dev) : -1;
  if (index < 0) throw unsupported(`disk target '${dev}'`);
  return index;
}

/** The alias libvirt gives a disk, which is also its QEMU device id. */
export function diskAlias(disk: DiskDef): string {
  const index = diskIndex(disk.target.dev);
  switch (diskBus(disk)) {
    case 'virtio': return `virtio-disk${index}`;
    case 'ide': return `ide0-${Math.floor(index / 2)}-${index % 2}`;
    case 'sata': return `sata0-0-${index}`;
    case 'scsi': return `scsi0-0-0-${index}`;
    case 'usb': return `usb-disk${index}`;
    default: throw unsupported(`disk bus '${diskBus(disk)}'`);
  }
}

/** The bus of a disk that names none: libvirt's rule from the target name, IDE when the name says nothing. */
const diskBus = (disk: DiskDef): string => disk.target.bus ?? defaultDiskBus(disk.target.dev, disk.device) ?? 'ide';

/** A QEMU object as QMP takes it: a type (driver) and typed properties. */
export interface QemuObject {
  driver: string;
  props: Record<string, string | number | boolean | undefined>;
}

/** The file path of a disk's source, for the disk types QEMU opens directly. */
export function diskSourcePath(disk: DiskDef): string | undefined {
  if (disk.type === 'file') return disk.source?.file;
  if (disk.type === 'block') return disk.source?.dev;
  throw unsupported(`disk type '${disk.type}'`);
}

/**
 * The two -blockdev nodes of a disk with a source: protocol ("<base>-storage")
 * and format ("<base>-format"), the one the device uses. Empty for an empty cdrom.
 */
export function diskBlockdevs(disk: DiskDef, nodeBase: string): Array<Record<string, string | boolean>> {
  const path = diskSourcePath(disk);
  const format = disk.driver?.type ?? 'raw';
  if (format !== 'raw' && format !== 'qcow2') throw unsupported(`disk format '${format}'`);
  if (path === undefined) {
    if (disk.device !== 'cdrom') throw unsupported(`disk '${disk.target.dev}' without a source`);
    return [];
  }
  const readOnly = disk.readonly || disk.device === 'cdrom';
  return [
    { driver: disk.type === 'block' ? 'host_device' : 'file', filename: path, 'node-name': `${nodeBase}-storage`, 'read-only': readOnly },
    { 'node-name': `${nodeBase}-format`, 'read-only': readOnly, driver: format, file: `${nodeBase}-storage` },
  ];
}

/** The guest-visible device of a disk; `drive` is its format node, none for an empty cdrom. */
export function diskDevice(disk: DiskDef, drive: string | undefined, q35 = false): QemuObject {
  if (disk.device !== 'disk' && disk.device !== 'cdrom') throw unsupported(`disk device '${disk.device}'`);
  const cdrom = disk.device === 'cdrom';
  const index = diskIndex(disk.target.dev);
  const common = { drive, id: diskAlias(disk), serial: disk.serial };
  switch (diskBus(disk)) {
    case 'virtio':
      if (cdrom) throw unsupported('a cdrom on the virtio bus');
      return { driver: 'virtio-blk-pci', props: { ...pciProps(disk.address, q35), ...common } };
    case 'ide':
      return { driver: cdrom ? 'ide-cd' : 'ide-hd', props: { bus: `ide.${Math.floor(index / 2)}`, unit: index % 2, ...common } };
    case 'sata':
      return { driver: cdrom ? 'ide-cd' : 'ide-hd', props: { bus: `ide.${index}`, ...common } };
    case 'scsi':
      return { driver: cdrom ? 'scsi-cd' : 'scsi-hd', props: { bus: 'scsi0.0', 'scsi-id': index, ...common } };
    default:
      if (cdrom) throw unsupported('a cdrom on the usb bus');
      return { driver: 'usb-storage', props: { bus: 'usb.0', ...common } };
  }
}

/** -blockdev nodes and the -device of one disk; `nodeBase` names its nodes (libvirt-N). */
export function diskArgs(disk: DiskDef, nodeBase: string, q35 = false): string[] {
  const nodes = diskBlockdevs(disk, nodeBase);
  const device = diskDevice(disk, nodes.length ? `${nodeBase}-format` : undefined, q35);
  return [...nodes.flatMap((n) => ['-blockdev', qemuOpts(undefined, n)]), '-device', qemuOpts(device.driver, device.props)];
}

/** The backend of one interface, as -netdev / netdev_add take it; `index` numbers its id (hostnetN). */
export function interfaceNetdev(nic: InterfaceDef, index: number): QemuObject {
  const id = `hostnet${index}`;
  switch (nic.type) {
    case 'user':
      return { driver: 'user', props: { id } };
    // a network's interface is a tap (made by the driver at start, named by the target), as libvirt's native form
    case 'network':
    case 'ethernet':
      return { driver: 'tap', props: { id, ifname: nic.targetDev, script: 'no', downscript: 'no' } };
    case 'bridge':
      if (!nic.source?.bridge) throw unsupported('bridge interface without <source bridge=.../>');
      // the driver's tap on the bridge (as root), else QEMU's bridge helper
      if (nic.targetDev) return { driver: 'tap', props: { id, ifname: nic.targetDev, script: 'no', downscript: 'no' } };
      return { driver: 'bridge', props: { id, br: nic.source.bridge } };
    default:
      throw unsupported(`interface type '${nic.type}'`);
  }
}

/** The guest's network card of one interface. */
export function interfaceDevice(nic: InterfaceDef, index: number, q35 = false): QemuObject {
  const model = NIC_MODELS[nic.model ?? 'rtl8139'];
  if (!model) throw unsupported(`interface model '${nic.model}'`);
  return { driver: model, props: { netdev: `hostnet${index}`, id: nic.alias ?? `net${index}`, mac: nic.mac, ...pciProps(nic.address, q35) } };
}

/** -netdev and -device of one interface; `index` numbers its ids (hostnetN, netN). */
export function interfaceArgs(nic: InterfaceDef, index: number, q35 = false): string[] {
  const netdev = interfaceNetdev(nic, index);
  const device = interfaceDevice(nic, index, q35);
  return ['-netdev', qemuOpts(netdev.driver, netdev.props), '-device', qemuOpts(device.driver, device.props)];
}

/** A character device's -chardev, from its <source> and type. */
function chardevArgs(el: XmlElement, id: string): string[] {
  const source = childElement(el, 'source')?.attrs ?? {};
  switch (el.attrs.type ?? 'pty') {
    case 'pty': return ['-chardev', qemuOpts('pty', { id })];
    case 'null': return ['-chardev', qemuOpts('null', { id })];
    case 'file':
      if (!source.path) throw unsupported(`<${el.name} type='file'> without a source path`);
      return ['-chardev', qemuOpts('file', { id, path: source.path, append: source.append === 'on' ? true : undefined })];
    case 'unix': {
      if (!source.path) throw unsupported(`<${el.name} type='unix'> without a source path`);
      const server = source.mode !== 'connect';
      return ['-chardev', qemuOpts('socket', { id, path: source.path, server, wait: server ? false : undefined })];
    }
    default: throw unsupported(`${el.name} type '${el.attrs.type}'`);
  }
}

function graphicsArgs(el: XmlElement): string[] {
  if (el.attrs.type !== 'vnc') throw unsupported(`graphics type '${el.attrs.type}'`);
  if (el.attrs.socket) return ['-vnc', qemuOpts(`unix:${el.attrs.socket}`, {})];
  const listen = el.attrs.listen ?? childElement(el, 'listen')?.attrs.address ?? '127.0.0.1';
  const port = el.attrs.port === undefined || el.attrs.port === '-1' || el.attrs.autoport === 'yes' ? undefined : Number(el.attrs.port);
  if (port !== undefined && !(port >= 5900 && port <= 65535)) throw unsupported(`VNC port '${el.attrs.port}'`);
  const host = listen.includes(':') ? `[${listen}]` : listen;
  // autoport: QEMU takes the first free display from 0 up to 'to'.
  return ['-vnc', port === undefined ? qemuOpts(`${host}:0`, { to: 100 }) : `${host}:${port - 5900}`];
}

function controllerArgs(el: XmlElement, q35: boolean): string[] {
  const index = el.attrs.index ?? '0';
  const model = el.attrs.model;
  const pci = pciProps(elementAddress(el), q35);
  const target = childElement(el, 'target')?.attrs ?? {};
  switch (el.attrs.type) {
    case 'pci':
      if (model === undefined || model === 'pci-root' || model === 'pcie-root') return [];
      if (model === 'pci-bridge') return ['-device', qemuOpts('pci-bridge', { id: `pci.${index}`, chassis_nr: target.chassis ?? index, ...pci })];
      if (model === 'pcie-root-port') {
        const port = target.port === undefined ? undefined : Number(target.port);
        return ['-device', qemuOpts('pcie-root-port', { port, chassis: target.chassis ?? index, id: `pci.${index}`, ...pci })];
      }
      if (model === 'pcie-to-pci-bridge') return ['-device', qemuOpts('pcie-pci-bridge', { id: `pci.${index}`, ...pci })];
      throw unsupported(`PCI controller model '${model}'`);
    case 'usb': {
      if (model === 'none') return [];
      const type = USB_CONTROLLERS[model ?? (q35 ? 'qemu-xhci' : 'piix3-uhci')];
      if (!type) throw unsupported(`USB controller model '${model}'`);
      return ['-device', qemuOpts(type, { id: index === '0' ? 'usb' : `usb${index}`, ...pci })];
    }
    case 'ide':
    case 'sata':
    case 'fdc':
      // The machine provides them (piix IDE on pc, AHCI on q35).
      return [];
    case 'scsi':
      if (model !== undefined && model !== 'virtio-scsi') throw unsupported(`SCSI controller model '${model}'`);
      return ['-device', qemuOpts('virtio-scsi-pci', { id: `scsi${index}`, ...pci })];
    case 'virtio-serial':
      return ['-device', qemuOpts('virtio-serial-pci', { id: `virtio-serial${index}`, ...pci })];
    default:
      throw unsupported(`controller type '${el.attrs.type}'`);
  }
}

function deviceArgs(def: DomainDef): string[] {
  const q35 = isQ35(def);
  const ordered = (names: string[]) => def.devices.filter((d) => d.kind === 'other' && names.includes(d.element.name))
    .map((d) => (d as { element: XmlElement }).element);
  const args: string[] = [];
  // Controllers first: disks and inputs name their buses.
  // PCI buses before the devices on them, a bus before the buses behind it.
  const busFirst = (el: XmlElement) => (el.attrs.type === 'pci' ? Number(el.attrs.index ?? 0) : Infinity);
  for (const el of ordered(['controller']).sort((a, b) => busFirst(a) - busFirst(b))) args.push(...controllerArgs(el, q35));
  let diskNode = 0;
  let nicIndex = 0;
  for (const dev of def.devices) {
    if (dev.kind === 'disk') args.push(...diskArgs(dev, `libvirt-${++diskNode}`, q35));
    else if (dev.kind === 'interface') args.push(...interfaceArgs(dev, nicIndex++, q35));
  }
  const serials = ordered(['serial']);
  for (const [i, el] of serials.entries()) {
    args.push(...chardevArgs(el, `charserial${i}`), '-device', qemuOpts('isa-serial', { chardev: `charserial${i}`, id: `serial${i}` }));
  }
  // A console is the first serial port seen from another side: only a lone console needs a port of its own.
  const consoles = ordered(['console']);
  for (const el of consoles) {
    const target = childElement(el, 'target')?.attrs.type ?? 'serial';
    if (target !== 'serial') throw unsupported(`console target type '${target}'`);
  }
  if (!serials.length && consoles.length) {
    args.push(...chardevArgs(consoles[0], 'charserial0'), '-device', qemuOpts('isa-serial', { chardev: 'charserial0', id: 'serial0' }));
  }
  const graphics = ordered(['graphics']);
  for (const el of graphics) args.push(...graphicsArgs(el));
  if (!graphics.length) args.push('-display', 'none');
  for (const [i, el] of ordered(['video']).entries()) {
    const model = childElement(el, 'model')?.attrs.type ?? 'vga';
    if (model === 'none') continue;
    const type = VIDEO_MODELS[model];
    if (!type) throw unsupported(`video model '${model}'`);
    args.push('-device', qemuOpts(i === 0 ? type : type === 'virtio-vga' ? 'virtio-gpu-pci' : type, { id: `video${i}`, ...pciProps(elementAddress(el), q35) }));
  }
  for (const [i, el] of ordered(['input']).entries()) {
    const bus = el.attrs.bus ?? 'ps2';
    // PS/2 mouse and keyboard are part of the pc and q35 machines.
    if (bus === 'ps2') continue;
    const type = INPUT_DEVICES[bus]?.[el.attrs.type];
    if (!type) throw unsupported(`input device '${el.attrs.type}' on bus '${bus}'`);
    args.push('-device', qemuOpts(type, { id: `input${i}`, bus: bus === 'usb' ? 'usb.0' : undefined, port: bus === 'usb' ? elementAddress(el)?.port : undefined, ...pciProps(elementAddress(el), q35) }));
  }
  for (const el of ordered(['memballoon'])) {
    const model = el.attrs.model ?? 'virtio';
    if (model === 'none') continue;
    if (model !== 'virtio') throw unsupported(`memballoon model '${model}'`);
    args.push('-device', qemuOpts('virtio-balloon-pci', { id: 'balloon0', ...pciProps(elementAddress(el), q35) }));
  }
  for (const el of ordered(['audio'])) {
    // Sound cards are not supported: an audio backend without one is only the "none" one libvirt adds.
    if (el.attrs.type !== 'none') throw unsupported(`audio type '${el.attrs.type}'`);
    args.push('-audiodev', qemuOpts('none', { id: `audio${el.attrs.id ?? '1'}` }));
  }
  const handled = new Set(['controller', 'serial', 'console', 'graphics', 'video', 'input', 'memballoon', 'emulator', 'audio']);
  for (const dev of def.devices) {
    if (dev.kind === 'other' && !handled.has(dev.element.name)) throw unsupported(`device <${dev.element.name}>`);
  }
  return args;
}

/** QEMU's name of PCI bus `index`: the machine's root bus, or the controller's alias. */
const pciBusName = (index: number, q35: boolean) => (index === 0 ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${index}`);

/** bus=, addr= (and multifunction=) of a device at a PCI address; none without one (QEMU then picks). */
export function pciProps(address: Record<string, string | undefined> | undefined, q35: boolean): QemuObject['props'] {
  const a = parsePciAddress(address);
  if (!a) return {};
  const addr = `0x${a.slot.toString(16)}${a.function ? `.0x${a.function.toString(16)}` : ''}`;
  return { bus: pciBusName(a.bus, q35), addr, multifunction: a.multifunction || undefined };
}

const elementAddress = (el: XmlElement) => childElement(el, 'address')?.attrs;

/** The emulator a definition names, if any. */
export function emulatorOf(def: DomainDef): string | undefined {
  for (const dev of def.devices) if (dev.kind === 'other' && dev.element.name === 'emulator') return textOf(dev.element).trim();
  return undefined;
}
