import type { XmlElement } from '../xml-element.js';

/** A host interface's definition (not a domain's <interface> device): its identity, and the rest kept as written. */
export interface HostInterfaceDef {
  type: string;
  name: string;
  mac?: string;
  startMode?: string;
  /** the other children (mtu, protocol, bridge, ...), in order */
  extra: XmlElement[];
}
