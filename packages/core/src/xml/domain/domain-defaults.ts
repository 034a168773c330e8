// What libvirt fills into every domain definition after parsing it, whatever the driver
// (its generic post-parse): buses and drive addresses of disks, the controllers those
// addresses name, console and graphics defaults, the video card that graphics imply.
// Driver-specific choices come in through DomainDefaultsOptions. The order of disks, which
// libvirt settles while parsing, is the parser's (disk-order.ts).

import { childElement, childElements, element, textOf, type XmlElement } from '../xml-element.js';
import type { DeviceDef, DiskDef, DomainDef, OtherDeviceDef } from './domain-def.js';
import { defaultDiskBus, diskNameToIndex } from './disk-names.js';

export interface DomainDefaultsOptions {
  /** the model of the video card added for graphics without one: each driver picks its own */
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

const others = (def: DomainDef, name: string): OtherDeviceDef[] =>
  def.devices.filter((d): d is OtherDeviceDef => d.kind === 'other' && d.element.name === name);

const other = (el: XmlElement): DeviceDef => ({ kind: 'other', element: el });

/** The controllers disk addresses name, each index up to the highest, in libvirt's order of controller types. */
function addDiskControllers(def: DomainDef): void {
  for (const type of ['scsi', 'fdc', 'ide', 'sata']) {
    let max = -1;
    for (const d of def.devices) {
      if (d.kind === 'disk' && d.target.bus === type && d.address?.type === 'drive') max = Math.max(max, Number(d.address.controller ?? 0));
    }
    const existing = new Set(others(def, 'controller').filter((c) => c.element.attrs.type === type).map((c) => Number(c.element.attrs.index ?? 0)));
    for (let index = 0; index <= max; index++) {
      if (!existing.has(index)) def.devices.push(other(element('controller', { type, index: String(index) })));
    }
  }
}

/** A console is a pty on the first serial port unless it says otherwise; its tty is only known while it runs. */
function fillConsoles(def: DomainDef): void {
  others(def, 'console').forEach(({ element: c }, port) => {
    delete c.attrs.tty;
    c.attrs = { type: c.attrs.type ?? 'pty', ...c.attrs };
    if (!childElement(c, 'target')) c.children.push(element('target', { type: 'serial', port: String(port) }));
  });
}

/** A fixed VNC port means no automatic one; graphics listen on an address unless told where. */
function fillGraphics(def: DomainDef): void {
  for (const { element: g } of others(def, 'graphics')) {
    if (g.attrs.type === 'vnc' && g.attrs.autoport === undefined && g.attrs.port !== undefined) {
      g.attrs.autoport = g.attrs.port === '-1' ? 'yes' : 'no';
    }
    if (['vnc', 'spice', 'rdp'].includes(g.attrs.type) && childElements(g, 'listen').length === 0) {
      const address = g.attrs.listen;
      g.children.push(element('listen', address !== undefined ? { type: 'address', address } : { type: 'address' }));
    }
  }
}

/** Video RAM, KiB, libvirt gives a card of each model by default. */
const DEFAULT_VRAM: Record<string, number> = { vga: 16384, cirrus: 16384, qxl: 16384, xen: 4096 };

/** Graphics need a video card: one is added when none is defined. */
function addImplicitVideo(def: DomainDef, opts: DomainDefaultsOptions): void {
  if (others(def, 'graphics').length === 0 || others(def, 'video').length > 0) return;
  const type = opts.videoModel(def);
  const vram = DEFAULT_VRAM[type];
  const model: Record<string, string> = { type, ...(vram !== undefined ? { vram: String(vram) } : {}), heads: '1', primary: 'yes' };
  def.devices.push(other(element('video', {}, [element('model', model)])));
}

/** A loader given by path alone is a ROM. */
function fillLoader(def: DomainDef): void {
  const loader = def.os.extra.find((e) => e.name === 'loader');
  if (loader && loader.attrs.type === undefined && textOf(loader).trim() !== '') loader.attrs.type = 'rom';
}

/** Fill in libvirt's post-parse defaults, in place; applying them twice changes nothing more. */
export function applyDomainDefaults(def: DomainDef, opts: DomainDefaultsOptions): DomainDef {
  for (const d of def.devices) if (d.kind === 'disk') fillDisk(d);
  addDiskControllers(def);
  fillConsoles(def);
  fillGraphics(def);
  addImplicitVideo(def, opts);
  fillLoader(def);
  return def;
}
