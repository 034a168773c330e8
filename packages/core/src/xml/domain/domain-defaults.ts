// What libvirt fills into every domain definition after parsing it, whatever the driver
// (its generic post-parse), and the checks that go with it: buses and drive addresses
// of disks, controllers and the controllers other devices imply, consoles and serial
// ports, character device backends, graphics listens and ports, video cards, cputune.
// Driver-specific choices come in through DomainDefaultsOptions. The order of disks,
// which libvirt settles while parsing, is the parser's (disk-order.ts).

import { childElements, textOf, type XmlElement } from '../xml-element.js';
import type { DiskDef, DomainDef } from './domain-def.js';
import { defaultDiskBus, diskNameToIndex } from './disk-names.js';
import { fillChardevSource, fillConsoles, fillSerials } from './chardev-rules.js';
import { addDiskControllers, addSmartcardControllers, addVirtioSerialControllers, orderControllers } from './controller-rules.js';
import { fillCputune } from './cputune-rules.js';
import { devicesNamed, replaceDevices } from './device-elements.js';
import { fillGraphics } from './graphics-rules.js';
import { formatIdList, parseIdList } from './id-lists.js';
import { normalizeAddress, normalizeAddresses } from './address-rules.js';
import { fillCpuAndFeatures, fillDiskAttributes, fillFilesystem, fillFirmwareFeatures, fillHostdev } from './device-defaults.js';
import { normalizeScaledValues } from './scaled-values.js';
import { checkAttributeValues } from './attribute-values.js';
import { fillVideos, implicitVideo } from './video-rules.js';

export interface DomainDefaultsOptions {
  /** the model of a video card that names none: each driver picks its own */
  videoModel(def: DomainDef): string;
}

/** Buses whose disks get a drive address, with how many units a controller and a bus hold. */
const DRIVE_BUSES: Record<string, { perController: number; perBus: number }> = {
  ide: { perController: 4, perBus: 2 },
  // libvirt's narrow SCSI: seven units, one bus per controller
  scsi: { perController: 7, perBus: 7 },
  sata: { perController: 6, perBus: 6 },
  fdc: { perController: 2, perBus: 2 },
};

function fillDisk(disk: DiskDef): void {
  disk.target.bus ??= defaultDiskBus(disk.target.dev, disk.device);
  const layout = disk.target.bus !== undefined ? DRIVE_BUSES[disk.target.bus] : undefined;
  const index = diskNameToIndex(disk.target.dev);
  if (disk.address || !layout || index < 0) return;
  const unit = index % layout.perController;
  disk.address = {
    type: 'drive',
    controller: String(Math.floor(index / layout.perController)),
    bus: String(Math.floor(unit / layout.perBus)),
    target: '0',
    unit: String(unit % layout.perBus),
  };
}

/** Character devices and the devices a character device backs. */
function fillCharacterDevices(def: DomainDef): void {
  for (const name of ['serial', 'parallel', 'console', 'channel']) for (const c of devicesNamed(def, name)) fillChardevSource(c, false);
  for (const s of devicesNamed(def, 'smartcard')) if (s.attrs.mode === 'passthrough') fillChardevSource(s, true);
  for (const r of devicesNamed(def, 'redirdev')) fillChardevSource(r, true);
  for (const r of devicesNamed(def, 'rng')) {
    for (const b of childElements(r, 'backend')) if (b.attrs.model === 'egd') fillChardevSource(b, true);
  }
  const serials = devicesNamed(def, 'serial');
  const consoles = devicesNamed(def, 'console');
  fillSerials(serials);
  fillConsoles(consoles, serials, def.os.type === 'hvm');
  replaceDevices(def, 'serial', serials);
  replaceDevices(def, 'console', consoles);
}

function fillControllers(def: DomainDef): void {
  const list = orderControllers(devicesNamed(def, 'controller'));
  addDiskControllers(list, def);
  addVirtioSerialControllers(list, [...devicesNamed(def, 'console'), ...devicesNamed(def, 'channel')]);
  addSmartcardControllers(list, devicesNamed(def, 'smartcard'));
  replaceDevices(def, 'controller', list);
}

/** Graphics need a video card: one is added when none is defined. */
function fillVideo(def: DomainDef, opts: DomainDefaultsOptions): void {
  const videos = devicesNamed(def, 'video');
  if (videos.length === 0 && devicesNamed(def, 'graphics').length > 0) videos.push(implicitVideo());
  if (videos.length) replaceDevices(def, 'video', fillVideos(videos, opts.videoModel(def)));
}

/** Host NUMA node sets as libvirt writes them (ranges, no exclusions). */
function fillNumatune(numatune: XmlElement | undefined): void {
  if (!numatune) return;
  for (const el of childElements(numatune)) if (el.attrs.nodeset !== undefined) el.attrs.nodeset = formatIdList(parseIdList(el.attrs.nodeset));
}

/** A loader given by path alone is a ROM. */
function fillLoader(def: DomainDef): void {
  const loader = def.os.extra.find((e) => e.name === 'loader');
  if (loader && loader.attrs.type === undefined && textOf(loader).trim() !== '') loader.attrs.type = 'rom';
}

const topLevel = (def: DomainDef, name: string): XmlElement | undefined => def.extra.find((e) => e.name === name);

/** A typed address in libvirt's form. */
function normalizeTypedAddress(address: Record<string, string> | undefined): void {
  if (address) normalizeAddress({ name: 'address', attrs: address, children: [], line: 0 });
}

/** Sizes in libvirt's units and addresses in its form, everywhere in the definition; listed values checked. */
function normalizeValues(def: DomainDef): void {
  for (const e of def.extra) normalizeScaledValues(e, e.name);
  for (const d of def.devices) {
    if (d.kind === 'other') {
      normalizeScaledValues(d.element, `devices/${d.element.name}`);
      checkAttributeValues(d.element, `devices/${d.element.name}`);
      normalizeAddresses(d.element);
      continue;
    }
    normalizeTypedAddress(d.address);
    if (d.element) normalizeScaledValues(d.element, `devices/${d.kind}`);
    for (const x of d.extra) {
      normalizeScaledValues(x, `devices/${d.kind}/${x.name}`);
      checkAttributeValues(x, `devices/${d.kind}/${x.name}`);
    }
  }
}

/** Fill in libvirt's post-parse defaults, in place, and check what they check; applying them twice changes nothing more. */
export function applyDomainDefaults(def: DomainDef, opts: DomainDefaultsOptions): DomainDef {
  for (const d of def.devices) {
    if (d.kind !== 'disk') continue;
    fillDisk(d);
    fillDiskAttributes(d);
  }
  for (const h of devicesNamed(def, 'hostdev')) fillHostdev(h);
  for (const f of devicesNamed(def, 'filesystem')) fillFilesystem(f);
  fillCpuAndFeatures(topLevel(def, 'cpu'), topLevel(def, 'features'));
  fillFirmwareFeatures(def.os);
  normalizeValues(def);
  fillCharacterDevices(def);
  fillControllers(def);
  for (const g of devicesNamed(def, 'graphics')) fillGraphics(g);
  fillVideo(def, opts);
  fillLoader(def);
  fillNumatune(topLevel(def, 'numatune'));
  const cputune = topLevel(def, 'cputune');
  if (cputune) fillCputune(cputune, def.vcpu.max);
  return def;
}
