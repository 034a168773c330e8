import { ErrorDomain } from '../../gen/errors.gen.js';
import { expectRoot, requiredName, uuidOrNew } from '../xml-fields.js';
import { parseXmlDocument } from '../xml-document.js';
import { childElement, childElements, type XmlElement } from '../xml-element.js';
import type { NetworkDef } from './network-def.js';

const TYPED = new Set(['name', 'uuid', 'forward', 'bridge', 'mac']);

/** Parse a <network> document (virNetworkDefParseString). */
export function parseNetworkXml(xml: string | Uint8Array): NetworkDef {
  return networkDefFromTree(parseXmlDocument(xml, '(network_definition)', ErrorDomain.NETWORK));
}

/** A network's definition from its parsed <network> element. */
export function networkDefFromTree(root: XmlElement): NetworkDef {
  expectRoot(root, 'network');
  const bridge = childElement(root, 'bridge');
  return {
    name: requiredName(root, ErrorDomain.NETWORK),
    uuid: uuidOrNew(root, ErrorDomain.NETWORK),
    forward: childElement(root, 'forward'),
    bridge: bridge && { name: bridge.attrs.name, stp: bridge.attrs.stp, delay: bridge.attrs.delay },
    mac: childElement(root, 'mac')?.attrs.address,
    extra: childElements(root).filter((c) => !TYPED.has(c.name)),
  };
}
