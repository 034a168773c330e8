import { childElements, element, type XmlElement } from '../xml-element.js';
import type { DeviceDef, DomainDef, OtherDeviceDef } from './domain-def.js';

// Access to the devices the model keeps as parsed elements, for the conf rules.

/** The elements of the devices named `name` (controller, video, ...), in definition order. */
export const devicesNamed = (def: DomainDef, name: string): XmlElement[] =>
  def.devices.filter((d): d is OtherDeviceDef => d.kind === 'other' && d.element.name === name).map((d) => d.element);

export const asDevice = (el: XmlElement): DeviceDef => ({ kind: 'other', element: el });

/** Replace the devices named `name` by `els`, keeping the others where they were. */
export function replaceDevices(def: DomainDef, name: string, els: XmlElement[]): void {
  def.devices = def.devices.filter((d) => d.kind !== 'other' || d.element.name !== name).concat(els.map(asDevice));
}

/** The first child named `name`, created (empty) when there is none. */
export function ensureChild(el: XmlElement, name: string): XmlElement {
  let c = childElements(el, name)[0];
  if (!c) {
    c = element(name);
    el.children.push(c);
  }
  return c;
}

/** `el` without its children named `name`. */
export function removeChildren(el: XmlElement, name: string): void {
  el.children = el.children.filter((c) => typeof c === 'string' || c.name !== name);
}
