// Attributes whose values libvirt 9.0 reads from a fixed list, checked the way libvirt
// checks them (an unknown value is an XML error naming the attribute and the element).

import { childElements, type XmlElement } from '../xml-element.js';
import { xmlError } from './conf-errors.js';

/** path under <domain> → attribute → the values libvirt knows. */
const ENUMS: Record<string, Record<string, Set<string>>> = {
  'devices/interface/backend': { type: new Set(['default']) },
};

/** Check the listed attributes in `el` (at `path`) and below it. */
export function checkAttributeValues(el: XmlElement, path: string): void {
  const rules = ENUMS[path];
  if (rules) {
    for (const attr in rules) {
      const v = el.attrs[attr];
      if (v !== undefined && !rules[attr].has(v)) throw xmlError(`Invalid value for attribute '${attr}' in element '${el.name}': '${v}'.`);
    }
  }
  for (const c of childElements(el)) checkAttributeValues(c, `${path}/${c.name}`);
}
