import { parseXmlDocument, type XmlElement } from '@tsvirt/core/xml';

/**
 * The shape of a document: every element path and every attribute path in it
 * (domain/devices/disk/source/host@port), without values, so that two documents can be
 * compared for what one keeps and the other drops.
 */
export function xmlShape(xml: string): Set<string> {
  const out = new Set<string>();
  const walk = (el: XmlElement, path: string) => {
    out.add(path);
    for (const a in el.attrs) out.add(`${path}@${a}`);
    for (const c of el.children) if (typeof c !== 'string') walk(c, `${path}/${c.name}`);
  };
  const root = parseXmlDocument(xml, 'shape');
  walk(root, root.name);
  return out;
}

/** What `reference` has and `other` lacks. */
export function missingFrom(reference: string, other: string): string[] {
  const have = xmlShape(other);
  return [...xmlShape(reference)].filter((p) => !have.has(p));
}
