// libvirt's rules for <controller>: the order it keeps them in, the index a controller
// without one gets, and the controllers that other devices imply (a disk's drive address
// names one, a virtio console or channel needs a virtio-serial one, a smartcard a CCID one).

import { childElements, element, type XmlElement } from '../xml-element.js';
import type { DomainDef } from './domain-def.js';

const hasMaster = (c: XmlElement) => childElements(c, 'master').length > 0;
const indexOf = (c: XmlElement) => (c.attrs.index === undefined ? -1 : Number(c.attrs.index));

/**
 * Where libvirt puts a controller among those it has: before the first of its type with
 * a higher index (a USB master before its companions of the same index), else after the
 * last of its type, else at the end.
 */
function insertPosition(list: XmlElement[], c: XmlElement): number {
  const idx = indexOf(c);
  let at = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    const cur = list[i];
    if (cur.attrs.type !== c.attrs.type) continue;
    if (idx === -1) return i + 1;
    const curIdx = indexOf(cur);
    if (curIdx > idx) at = i;
    else if (!hasMaster(c) && hasMaster(cur) && curIdx === idx) at = i;
    else if (at === -1) at = i + 1;
  }
  return at === -1 ? list.length : at;
}

/** Insert `c` where libvirt would. */
export function insertController(list: XmlElement[], c: XmlElement): void {
  list.splice(insertPosition(list, c), 0, c);
}

/** The controllers in libvirt's order, each with an index (the lowest free one of its type when it had none). */
export function orderControllers(controllers: XmlElement[]): XmlElement[] {
  const list: XmlElement[] = [];
  for (const c of controllers) insertController(list, c);
  for (const c of list) {
    if (c.attrs.index !== undefined) continue;
    const used = new Set(list.filter((o) => o.attrs.type === c.attrs.type && o.attrs.index !== undefined).map((o) => o.attrs.index));
    let i = 0;
    while (used.has(String(i))) i++;
    c.attrs.index = String(i);
  }
  return list;
}

/** Add a controller of `type` and `index` unless there is one. */
export function ensureController(list: XmlElement[], type: string, index: number): void {
  if (list.some((c) => c.attrs.type === type && indexOf(c) === index)) return;
  insertController(list, element('controller', { type, index: String(index) }));
}

const virtioTarget = (el: XmlElement) => childElements(el, 'target')[0]?.attrs.type === 'virtio';
const addressController = (el: XmlElement, type: string) => {
  const a = childElements(el, 'address')[0];
  return a?.attrs.type === type && a.attrs.controller !== undefined ? Number(a.attrs.controller) : 0;
};

/** Virtio consoles and channels sit on a virtio-serial controller. */
export function addVirtioSerialControllers(list: XmlElement[], chardevs: XmlElement[]): void {
  for (const c of chardevs) if (virtioTarget(c)) ensureController(list, 'virtio-serial', addressController(c, 'virtio-serial'));
}

/** Smartcards sit in a slot of a CCID controller; those without an address get the next slot. */
export function addSmartcardControllers(list: XmlElement[], smartcards: XmlElement[]): void {
  const next = new Map<number, number>();
  for (const s of smartcards) {
    let address = childElements(s, 'address')[0];
    if (!address) {
      address = element('address', { type: 'ccid', controller: '0', slot: String(next.get(0) ?? 0) });
      s.children.push(address);
    }
    if (address.attrs.type !== 'ccid') continue;
    const controller = Number(address.attrs.controller ?? 0);
    next.set(controller, Math.max(next.get(controller) ?? 0, Number(address.attrs.slot ?? 0) + 1));
    ensureController(list, 'ccid', controller);
  }
}

/** The controllers that disks' drive addresses name, every index up to the highest, in libvirt's order of bus types. */
export function addDiskControllers(list: XmlElement[], def: DomainDef): void {
  for (const type of ['scsi', 'fdc', 'ide', 'sata']) {
    let max = -1;
    for (const d of def.devices) {
      if (d.kind === 'disk' && d.target.bus === type && d.address?.type === 'drive') max = Math.max(max, Number(d.address.controller ?? 0));
    }
    for (let index = 0; index <= max; index++) ensureController(list, type, index);
  }
}
