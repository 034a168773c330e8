import type { XmlElement } from '../xml-element.js';

/** A virtual network's definition: the parts libvirt's tools show, the rest kept as written. */
export interface NetworkDef {
  name: string;
  uuid: string;
  /** <forward>: its attributes and children, as written */
  forward?: XmlElement;
  bridge?: { name?: string; stp?: string; delay?: string };
  mac?: string;
  /** elements after <mac> that the model does not interpret (domain, dns, ip, route, ...), in order */
  extra: XmlElement[];
}
