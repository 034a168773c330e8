// Attribute defaults libvirt writes on devices it otherwise keeps as given.

import { childElements, element, type XmlElement } from '../xml-element.js';
import { unsupportedConfig } from './conf-errors.js';
import type { DiskDef } from './domain-def.js';

/** Where a network protocol's server listens unless a host says otherwise (libvirt gives RBD and NFS none). */
const DEFAULT_PORTS: Record<string, string> = {
  http: '80', https: '443', ftp: '21', ftps: '990', tftp: '69', sheepdog: '7000', nbd: '10809', ssh: '22', iscsi: '3260', gluster: '24007', vxhs: '9999',
};

/** A network source's hosts with their ports; an iSCSI target with its LUN. */
export function fillNetworkSource(source: Record<string, string>, hosts: XmlElement[]): void {
  const port = DEFAULT_PORTS[source.protocol];
  for (const h of hosts) {
    if (port !== undefined && h.attrs.port === undefined && h.attrs.transport !== 'unix' && h.attrs.name !== undefined) h.attrs.port = port;
  }
  if (source.protocol === 'iscsi' && source.name !== undefined && !source.name.includes('/')) source.name += '/0';
}

/** Index numbers of a backing chain exist only while the domain runs. */
function dropChainIndexes(el: XmlElement): void {
  for (const c of childElements(el)) {
    if (c.name === 'backingStore' || c.name === 'source') delete c.attrs.index;
    if (c.name === 'backingStore') dropChainIndexes(c);
    if (c.name === 'source' && el.name === 'backingStore') fillNetworkSource(c.attrs, childElements(c, 'host'));
  }
}

/**
 * A CD-ROM is read-only, and a removable disk without media is an empty file; a tray is
 * written when open; a vhost-user disk cannot be snapshotted; network sources name
 * their ports.
 */
export function fillDiskAttributes(disk: DiskDef): void {
  // file descriptors handed over by the client: no tsvirt driver takes them
  if (disk.source?.fdgroup !== undefined) throw unsupportedConfig(`driver does not support FD passing for disk '${disk.target.dev}'`);
  if (disk.device === 'cdrom') disk.readonly = true;
  if ((disk.device === 'cdrom' || disk.device === 'floppy') && disk.source === undefined) disk.type = 'file';
  if (disk.target.tray === 'closed') delete disk.target.tray;
  if (disk.source) {
    delete disk.source.index;
    const parsed = disk.element && childElements(disk.element, 'source')[0];
    fillNetworkSource(disk.source, parsed ? childElements(parsed, 'host') : []);
  }
  for (const x of disk.extra) {
    if (x.name !== 'backingStore') continue;
    delete x.attrs.index;
    dropChainIndexes(x);
  }
  if (disk.type === 'vhostuser') {
    disk.element ??= element('disk');
    disk.element.attrs.snapshot ??= 'no';
  }
  // a read-only disk is never snapshotted: saying so is saying nothing
  if (disk.readonly && disk.element?.attrs.snapshot === 'no') delete disk.element.attrs.snapshot;
}

/** Host devices passed through are not managed (detached from the host) unless they say so. */
export function fillHostdev(h: XmlElement): void {
  if (h.attrs.mode === 'subsystem') h.attrs.managed ??= 'no';
  const source = childElements(h, 'source')[0];
  if (source?.attrs.protocol !== undefined) fillNetworkSource(source.attrs, childElements(source, 'host'));
}

/** A file or folder mode as libvirt writes it: four octal digits. */
const octalMode = (mode: string | undefined) => (mode !== undefined && /^[0-7]{1,4}$/.test(mode) ? mode.padStart(4, '0') : mode);

/** A filesystem is a host folder mounted with the guest's ids passed through, by default. */
export function fillFilesystem(f: XmlElement): void {
  f.attrs.type ??= 'mount';
  f.attrs.accessmode ??= 'passthrough';
  for (const attr of ['fmode', 'dmode']) if (f.attrs[attr] !== undefined) f.attrs[attr] = octalMode(f.attrs[attr])!;
}

/** A CPU model is matched exactly unless the mode says otherwise; Hyper-V enlightenments are listed one by one. */
export function fillCpuAndFeatures(cpu: XmlElement | undefined, features: XmlElement | undefined): void {
  // host-model takes the host's model: a nameless model that allows fallback says nothing
  if (cpu?.attrs.mode === 'host-model') {
    cpu.children = cpu.children.filter((c) => typeof c === 'string' || c.name !== 'model' || c.attrs.fallback !== 'allow' || c.children.some((x) => typeof x !== 'string' || x.trim() !== ''));
  }
  if (cpu && childElements(cpu, 'model').length > 0 && (cpu.attrs.mode === undefined || cpu.attrs.mode === 'custom')) {
    cpu.attrs.mode = 'custom';
    cpu.attrs.match ??= 'exact';
  }
  const hyperv = features && childElements(features, 'hyperv')[0];
  if (hyperv) hyperv.attrs.mode ??= 'custom';
}

/** Firmware with enrolled keys boots securely. */
export function fillFirmwareFeatures(os: { extra: XmlElement[] }): void {
  const firmware = os.extra.find((e) => e.name === 'firmware');
  if (!firmware) return;
  const features = childElements(firmware, 'feature');
  const enrolled = features.find((f) => f.attrs.name === 'enrolled-keys');
  if (enrolled?.attrs.enabled === 'yes' && !features.some((f) => f.attrs.name === 'secure-boot')) {
    firmware.children.push(element('feature', { enabled: 'yes', name: 'secure-boot' }));
  }
}
