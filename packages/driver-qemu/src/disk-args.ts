// Disks: the -blockdev nodes of their storage (files, block devices, folders as FAT
// images, network protocols) and format, and the guest-visible device on its bus.

import { childElement, childElements, childText, defaultDiskBus, diskNameToIndex, type DiskDef } from '@tsvirt/core/xml';
import { unsupported } from './native-errors.js';
import { pciProps } from './pci-props.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';
import { virtioOptions } from './virtio-options.js';

/** A QEMU object as QMP takes it: a type (driver) and typed properties. */
export interface QemuObject {
  driver: string;
  props: Record<string, QemuOptValue>;
}

/** A -blockdev node: properties that may nest (a network server, a cache mode). */
export type BlockdevNode = Record<string, unknown>;

/** A disk's target name as an index: vda → 0, hdc → 2, sdab → 27, fdb → 1; names with a partition are not QEMU disks. */
export function diskIndex(dev: string): number {
  const index = /^(?:[hsv]d|xvd|fd)[a-z]+$/.test(dev) ? diskNameToIndex(dev) : -1;
  if (index < 0) throw unsupported(`disk target '${dev}'`);
  return index;
}

/** The bus of a disk that names none: libvirt's rule from the target name, IDE when the name says nothing. */
export const diskBus = (disk: DiskDef): string => disk.target.bus ?? defaultDiskBus(disk.target.dev, disk.device) ?? 'ide';

const driveAddress = (disk: DiskDef) => (disk.address?.type === 'drive' ? disk.address : undefined);

/** The alias libvirt gives a disk, which is also its QEMU device id. */
export function diskAlias(disk: DiskDef): string {
  const index = diskIndex(disk.target.dev);
  const a = driveAddress(disk);
  switch (diskBus(disk)) {
    case 'virtio': return `virtio-disk${index}`;
    case 'ide': return `ide0-${Math.floor(index / 2)}-${index % 2}`;
    case 'sata': return `sata0-0-${index}`;
    case 'scsi': return a ? `scsi${a.controller ?? 0}-${a.bus ?? 0}-${a.target ?? 0}-${a.unit ?? 0}` : `scsi0-0-0-${index}`;
    case 'usb': return `usb-disk${index}`;
    case 'fdc': return `fdc0-0-${index}`;
    default: throw unsupported(`disk bus '${diskBus(disk)}'`);
  }
}

/** The file path of a disk's source, for the disk types QEMU opens as a local file or device. */
export function diskSourcePath(disk: DiskDef): string | undefined {
  if (disk.type === 'file') return disk.source?.file;
  if (disk.type === 'block') return disk.source?.dev;
  if (disk.type === 'dir' || disk.type === 'network') return undefined;
  throw unsupported(`disk type '${disk.type}'`);
}

const sourceElement = (disk: DiskDef) => disk.element && childElement(disk.element, 'source');

/** The protocol node of a network disk (the driver named after its protocol, and where to reach it). */
function networkNode(disk: DiskDef): BlockdevNode {
  const source = sourceElement(disk);
  const protocol = source?.attrs.protocol;
  const name = source?.attrs.name ?? '';
  const hosts = source ? childElements(source, 'host').map((h) => h.attrs) : [];
  const inet = (h: Record<string, string | undefined>, port: string) => ({ type: 'inet', host: h.name, port: h.port ?? port });
  const server = (h: Record<string, string | undefined>, port: string) => (h.transport === 'unix' ? { type: 'unix', path: h.socket } : inet(h, port));
  if (!hosts.length && protocol !== 'rbd') throw unsupported(`network disk '${disk.target.dev}' without a host`);
  switch (protocol) {
    case 'nbd':
      return { driver: 'nbd', server: server(hosts[0], '10809'), export: name || undefined };
    case 'http': case 'https': case 'ftp': case 'ftps': {
      const defaults: Record<string, string> = { http: '80', https: '443', ftp: '21', ftps: '990' };
      const query = source?.attrs.query ? `?${source.attrs.query}` : '';
      const host = hosts[0].name?.includes(':') ? `[${hosts[0].name}]` : hosts[0].name;
      const timeout = childElement(source!, 'timeout')?.attrs.seconds;
      const readahead = childElement(source!, 'readahead')?.attrs.size;
      const ssl = childElement(source!, 'ssl')?.attrs.verify;
      if (childElement(source!, 'cookies')) throw unsupported('HTTP cookies of a network disk (they need a secret object)');
      return {
        driver: protocol, url: `${protocol}://${host}:${hosts[0].port ?? defaults[protocol]}/${name.replace(/^\//, '')}${query}`,
        timeout: timeout === undefined ? undefined : Number(timeout), readahead: readahead === undefined ? undefined : Number(readahead),
        sslverify: ssl === undefined ? undefined : ssl === 'yes',
      };
    }
    case 'nfs': {
      const identity = childElement(source!, 'identity')?.attrs ?? {};
      const id = (v: string | undefined) => (v === undefined || !/^\+\d+$/.test(v) ? undefined : Number(v.slice(1)));
      if ((identity.user && id(identity.user) === undefined) || (identity.group && id(identity.group) === undefined)) {
        throw unsupported('NFS identity by name (only +UID and +GID)');
      }
      return { driver: 'nfs', server: { host: hosts[0].name, type: 'inet' }, path: name, user: id(identity.user), group: id(identity.group) };
    }
    case 'gluster': {
      const slash = name.indexOf('/');
      if (slash <= 0) throw unsupported(`gluster volume name '${name}'`);
      return { driver: 'gluster', volume: name.slice(0, slash), path: name.slice(slash + 1), server: hosts.map((h) => server(h, '24007')), debug: 4 };
    }
    case 'rbd': {
      if (childElement(source!, 'auth') || disk.element && childElement(disk.element, 'auth')) throw unsupported('RBD authentication (it needs a secret)');
      const slash = name.indexOf('/');
      if (slash <= 0) throw unsupported(`RBD image name '${name}'`);
      return {
        driver: 'rbd', pool: name.slice(0, slash), image: name.slice(slash + 1),
        server: hosts.length ? hosts.map((h) => ({ host: h.name, port: h.port ?? '6789' })) : undefined,
      };
    }
    default:
      throw unsupported(`network disk protocol '${protocol}'`);
  }
}

/** libvirt's cache modes as QEMU's cache.direct / cache.no-flush and the device's write cache. */
const CACHE_MODES: Record<string, { direct: boolean; noFlush: boolean; writeCache: boolean }> = {
  none: { direct: true, noFlush: false, writeCache: true },
  writethrough: { direct: false, noFlush: false, writeCache: false },
  writeback: { direct: false, noFlush: false, writeCache: true },
  directsync: { direct: true, noFlush: false, writeCache: false },
  unsafe: { direct: false, noFlush: true, writeCache: true },
};

function cacheOf(disk: DiskDef) {
  const mode = disk.driver?.cache;
  if (mode === undefined || mode === 'default') return undefined;
  const cache = CACHE_MODES[mode];
  if (!cache) throw unsupported(`disk cache mode '${mode}'`);
  return cache;
}

const AIO_MODES: Record<string, string> = { native: 'native', threads: 'threads', io_uring: 'io_uring' };

/**
 * The two -blockdev nodes of a disk with a source: protocol ("<base>-storage")
 * and format ("<base>-format"), the one the device uses. Empty for an empty cdrom or floppy.
 */
export function diskBlockdevs(disk: DiskDef, nodeBase: string): BlockdevNode[] {
  const format = disk.driver?.type ?? 'raw';
  if (!['raw', 'fat', 'qcow2', 'qed', 'vmdk', 'vpc', 'vdi', 'vhdx', 'qcow', 'luks', 'cloop', 'dmg', 'parallels', 'bochs'].includes(format)) {
    throw unsupported(`disk format '${format}'`);
  }
  const readOnly = disk.readonly || disk.device === 'cdrom';
  const cache = cacheOf(disk);
  const cacheProps = cache ? { cache: { direct: cache.direct, 'no-flush': cache.noFlush } } : {};
  let storage: BlockdevNode;
  if (disk.type === 'network') {
    storage = networkNode(disk);
  } else if (disk.type === 'dir') {
    const dir = disk.source?.dir;
    if (!dir) throw unsupported(`disk '${disk.target.dev}' without a source folder`);
    if (format !== 'fat' && format !== 'raw') throw unsupported(`disk format '${format}' of a folder`);
    storage = { driver: 'vvfat', dir, floppy: disk.device === 'floppy' || undefined, rw: false };
  } else {
    const path = diskSourcePath(disk);
    if (path === undefined) {
      if (disk.device !== 'cdrom' && disk.device !== 'floppy') throw unsupported(`disk '${disk.target.dev}' without a source`);
      return [];
    }
    const io = disk.driver?.io;
    if (io !== undefined && !AIO_MODES[io]) throw unsupported(`disk io mode '${io}'`);
    storage = { driver: disk.type === 'block' ? 'host_device' : 'file', filename: path, aio: io === undefined ? undefined : AIO_MODES[io] };
  }
  const discard = disk.driver?.discard;
  // zeroes become holes only where discards reach the image; QEMU refuses "unmap" otherwise
  const detectZeroes = disk.driver?.detect_zeroes === 'unmap' && discard !== 'unmap' ? 'on' : disk.driver?.detect_zeroes;
  const storageNode = {
    ...storage, 'node-name': `${nodeBase}-storage`, 'read-only': readOnly, ...cacheProps,
    discard: discard === undefined ? undefined : discard,
  };
  return [
    storageNode,
    {
      'node-name': `${nodeBase}-format`, 'read-only': readOnly || (disk.type === 'dir'), ...cacheProps, driver: format === 'fat' ? 'raw' : format,
      file: `${nodeBase}-storage`, discard, 'detect-zeroes': detectZeroes,
    },
  ];
}

/** A -blockdev's argument: key=value when flat, JSON when a value nests. */
export function blockdevArg(node: BlockdevNode): string {
  const defined = Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined));
  if (Object.values(defined).some((v) => typeof v === 'object' && v !== null)) return JSON.stringify(defined);
  return qemuOpts(undefined, defined as Record<string, QemuOptValue>);
}

/** The SCSI controller models whose disks are addressed by target and LUN (the rest by unit alone). */
export const SCSI_BY_LUN = new Set(['virtio-scsi', 'virtio-transitional', 'virtio-non-transitional', 'vmpvscsi', 'lsisas1068', 'lsisas1078']);

export interface DiskContext {
  /** Whether the machine is a Q35 (PCI Express root). */
  q35: boolean;
  /** The model of SCSI controller `index`. */
  scsiModel?: (index: number) => string | undefined;
}

/** A World Wide Name (16 hex digits, "0x" optional) as the number scsi-hd takes. */
function scsiWwn(text: string): string {
  const hex = text.replace(/^0x/i, '');
  if (!/^[0-9a-f]{16}$/i.test(hex)) throw unsupported(`disk wwn '${text}'`);
  return BigInt(`0x${hex}`).toString();
}

const bootIndex = (disk: DiskDef) => {
  const order = disk.element && childElement(disk.element, 'boot')?.attrs.order;
  return order === undefined ? undefined : Number(order);
};

/** The properties every disk device shares: identity, boot order, caches, geometry, errors. */
function commonDeviceProps(disk: DiskDef, drive: string | undefined): Record<string, QemuOptValue> {
  const el = disk.element;
  const blockio = el && childElement(el, 'blockio')?.attrs;
  const cache = cacheOf(disk);
  return {
    drive, id: diskAlias(disk), bootindex: bootIndex(disk),
    'write-cache': cache ? (cache.writeCache ? 'on' : 'off') : undefined,
    serial: disk.serial,
    'logical_block_size': blockio?.logical_block_size === undefined ? undefined : Number(blockio.logical_block_size),
    'physical_block_size': blockio?.physical_block_size === undefined ? undefined : Number(blockio.physical_block_size),
    werror: disk.driver?.error_policy === undefined ? undefined : errorPolicy(disk.driver.error_policy),
    rerror: (disk.driver?.rerror_policy ?? disk.driver?.error_policy) === undefined ? undefined : errorPolicy((disk.driver?.rerror_policy ?? disk.driver?.error_policy)!),
  };
}

const ERROR_POLICIES: Record<string, string> = { stop: 'stop', report: 'report', ignore: 'ignore', enospace: 'enospc' };
function errorPolicy(policy: string): string {
  const p = ERROR_POLICIES[policy];
  if (!p) throw unsupported(`disk error policy '${policy}'`);
  return p;
}

/** The guest-visible device of a disk; `drive` is its format node, none for an empty cdrom or floppy. */
export function diskDevice(disk: DiskDef, drive: string | undefined, ctx: DiskContext | boolean = false): QemuObject {
  const c: DiskContext = typeof ctx === 'boolean' ? { q35: ctx } : ctx;
  const pci = pciProps(disk.address, c.q35);
  const { device } = disk;
  if (device !== 'disk' && device !== 'cdrom' && device !== 'floppy' && device !== 'lun') throw unsupported(`disk device '${device}'`);
  const cdrom = device === 'cdrom';
  const index = diskIndex(disk.target.dev);
  const common = commonDeviceProps(disk, drive);
  const el = disk.element;
  const rotation = el && childElement(el, 'target')?.attrs.rotation_rate;
  const bus = diskBus(disk);
  if (device === 'floppy' && bus !== 'fdc') throw unsupported(`a floppy on the ${bus} bus`);
  if (device === 'lun' && bus !== 'virtio' && bus !== 'scsi') throw unsupported(`a LUN on the ${bus} bus`);
  switch (bus) {
    case 'virtio': {
      if (cdrom) throw unsupported('a cdrom on the virtio bus');
      const queues = disk.driver?.queues;
      const iothread = disk.driver?.iothread;
      return {
        driver: 'virtio-blk-pci',
        props: {
          ...virtioOptions(el), 'num-queues': queues === undefined ? undefined : Number(queues),
          'queue-size': disk.driver?.queue_size === undefined ? undefined : Number(disk.driver.queue_size),
          iothread: iothread === undefined ? undefined : `iothread${iothread}`, ...pci, ...common,
        },
      };
    }
    case 'ide': case 'sata': {
      const ideBus = bus === 'ide' ? { bus: `ide.${Math.floor(index / 2)}`, unit: index % 2 } : { bus: `ide.${index}` };
      return { driver: cdrom ? 'ide-cd' : 'ide-hd', props: { ...ideBus, ...common, rotation_rate: rotation === undefined ? undefined : Number(rotation) } };
    }
    case 'scsi': {
      const a = driveAddress(disk);
      const controller = Number(a?.controller ?? 0);
      const model = c.scsiModel?.(controller) ?? 'virtio-scsi';
      const place = !a ? { bus: 'scsi0.0', 'scsi-id': index }
        : SCSI_BY_LUN.has(model) ? { bus: `scsi${controller}.0`, channel: Number(a.bus ?? 0), 'scsi-id': Number(a.target ?? 0), lun: Number(a.unit ?? 0) }
          : { bus: `scsi${controller}.0`, 'scsi-id': Number(a.unit ?? 0) };
      const wwn = el && childText(el, 'wwn');
      const vendor = el && childText(el, 'vendor');
      const product = el && childText(el, 'product');
      return {
        driver: device === 'lun' ? 'scsi-block' : cdrom ? 'scsi-cd' : 'scsi-hd',
        props: {
          ...place, ...common, wwn: wwn === undefined ? undefined : scsiWwn(wwn), vendor, product,
          rotation_rate: rotation === undefined ? undefined : Number(rotation),
        },
      };
    }
    case 'usb': {
      // a USB mass storage device has no empty tray
      if (!drive) throw unsupported(`a USB ${device} without a medium`);
      const removable = el && childElement(el, 'target')?.attrs.removable;
      const port = disk.address?.type === 'usb' ? disk.address.port : undefined;
      return { driver: 'usb-storage', props: { bus: 'usb.0', port, ...common, removable: removable === undefined ? (cdrom ? true : undefined) : removable === 'on' } };
    }
    case 'fdc':
      return { driver: 'floppy', props: { unit: index, drive, id: common.id, bootindex: common.bootindex } };
    default:
      throw unsupported(`disk bus '${bus}'`);
  }
}

/** -blockdev nodes and the -device of one disk; `nodeBase` names its nodes (libvirt-N). */
export function diskArgs(disk: DiskDef, nodeBase: string, ctx: DiskContext | boolean = false): string[] {
  const nodes = diskBlockdevs(disk, nodeBase);
  const device = diskDevice(disk, nodes.length ? `${nodeBase}-format` : undefined, ctx);
  return [...nodes.flatMap((n) => ['-blockdev', blockdevArg(n)]), '-device', qemuOpts(device.driver, device.props)];
}

