// libvirt writes device addresses in one form whatever form they were given in: PCI
// addresses complete and in hexadecimal, drive addresses with their target.

import type { XmlElement } from '../xml-element.js';

const hex = (v: string | undefined, width: number) => {
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) && n >= 0 ? `0x${n.toString(16).padStart(width, '0')}` : v;
};

/** An address in libvirt's form, in place (its attribute order is the layout's). */
export function normalizeAddress(a: XmlElement): void {
  const at = a.attrs;
  if (at.type === 'pci') {
    at.domain = hex(at.domain, 4)!;
    at.bus = hex(at.bus, 2)!;
    at.slot = hex(at.slot, 2)!;
    at.function = hex(at.function, 1)!;
  } else if (at.type === 'drive') {
    at.controller ??= '0';
    at.bus ??= '0';
    at.target ??= '0';
    at.unit ??= '0';
  }
}

/** Every <address> in `el` and below it, in libvirt's form (a disk source's host addresses are not device addresses). */
export function normalizeAddresses(el: XmlElement): void {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.name === 'address' && c.attrs.type !== undefined) normalizeAddress(c);
    else normalizeAddresses(c);
  }
}
