import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { parseXmlDocument } from '../xml-document.js';
import { expectRoot } from '../xml-fields.js';
import { childElement, childElements, escapeXml, formatElement, type XmlElement } from '../xml-element.js';
import type { HostInterfaceDef } from './interface-def.js';

/** libvirt's virInterfaceType. */
const INTERFACE_TYPES = new Set(['ethernet', 'bridge', 'bond', 'vlan']);

/** Parse an <interface> document (virHostInterfaceDefParseString). */
export function parseInterfaceXml(xml: string): HostInterfaceDef {
  return interfaceDefFromTree(parseXmlDocument(xml, '(interface_definition)', ErrorDomain.INTERFACE));
}

/** A host interface's definition from its parsed <interface> element. */
export function interfaceDefFromTree(root: XmlElement): HostInterfaceDef {
  expectRoot(root, 'interface');
  const name = root.attrs.name;
  // virXMLPropEnum's words, from libvirt's XML utilities
  const type = root.attrs.type;
  if (type === undefined) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, "Missing required attribute 'type' in element 'interface'");
  if (!INTERFACE_TYPES.has(type)) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, `Invalid value for attribute 'type' in element 'interface': '${type}'.`);
  if (!name) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.INTERFACE, 'interface has no name');
  return {
    type,
    name,
    mac: childElement(root, 'mac')?.attrs.address,
    startMode: childElement(root, 'start')?.attrs.mode,
    extra: childElements(root).filter((c) => c.name !== 'mac' && c.name !== 'start'),
  };
}

/** An interface's XML as libvirt writes it: start mode first, the MAC address last. */
export function formatInterfaceXml(def: HostInterfaceDef): string {
  let s = `<interface type='${escapeXml(def.type)}' name='${escapeXml(def.name)}'>\n`;
  if (def.startMode) s += `  <start mode='${escapeXml(def.startMode)}'/>\n`;
  for (const e of def.extra) s += formatElement(e, '  ');
  if (def.mac) s += `  <mac address='${escapeXml(def.mac)}'/>\n`;
  return `${s}</interface>\n`;
}
