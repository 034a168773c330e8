import { ErrorDomain } from '../../gen/errors.gen.js';
import { parseXmlDocument } from '../xml-document.js';
import { expectRoot, requiredName } from '../xml-fields.js';
import { childElements, childText, escapeXml, formatElement, type XmlElement } from '../xml-element.js';

/** A host device: its name, its parent's, and its <capability> elements as written. */
export interface NodeDeviceDef {
  name: string;
  parent?: string;
  capabilities: XmlElement[];
}

/** Parse a <device> document (virNodeDeviceDefParseString). */
export function parseNodeDeviceXml(xml: string): NodeDeviceDef {
  return nodeDeviceDefFromTree(parseXmlDocument(xml, '(node_device_definition)', ErrorDomain.NODEDEV));
}

/** A device's definition from its parsed <device> element. */
export function nodeDeviceDefFromTree(root: XmlElement): NodeDeviceDef {
  expectRoot(root, 'device');
  return { name: requiredName(root, ErrorDomain.NODEDEV), parent: childText(root, 'parent'), capabilities: childElements(root, 'capability') };
}

export function formatNodeDeviceXml(def: NodeDeviceDef): string {
  let s = `<device>\n  <name>${escapeXml(def.name)}</name>\n`;
  if (def.parent) s += `  <parent>${escapeXml(def.parent)}</parent>\n`;
  for (const c of def.capabilities) s += formatElement(c, '  ');
  return `${s}</device>\n`;
}
