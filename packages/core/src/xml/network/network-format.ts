import { escapeXml, formatAttrs, formatElement } from '../xml-element.js';
import type { NetworkDef } from './network-def.js';

/** A network's XML in libvirt's canonical order: name, uuid, forward, bridge, mac, then the rest. */
export function formatNetworkXml(def: NetworkDef): string {
  let s = `<network>\n  <name>${escapeXml(def.name)}</name>\n  <uuid>${def.uuid}</uuid>\n`;
  if (def.forward) s += formatElement(def.forward, '  ');
  if (def.bridge) s += `  <bridge${formatAttrs(def.bridge)}/>\n`;
  if (def.mac) s += `  <mac address='${def.mac}'/>\n`;
  // libvirt writes an <ip> without children with its open and close tags on two lines
  for (const e of def.extra) s += e.name === 'ip' && !e.children.some((c) => typeof c !== 'string') ? formatElement(e, '  ').replace(/\/>\n$/, '>\n  </ip>\n') : formatElement(e, '  ');
  return `${s}</network>\n`;
}
