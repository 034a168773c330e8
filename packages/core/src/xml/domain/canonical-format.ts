import { escapeXml, formatAttrs, formatElement, type XmlElement } from '../xml-element.js';
import type { ElementLayout } from './domain-layout.js';

// One formatter for every part of a domain that is kept as a tree: attributes and
// children in libvirt's order (domain-layout.ts), two-space indent, single quotes.

const UNKNOWN = 1 << 20;

function orderedAttrs(el: XmlElement, layout: ElementLayout | undefined): Record<string, string> {
  if (!layout) return el.attrs;
  const keys = Object.keys(el.attrs);
  let sorted = true;
  let last = -1;
  for (const k of keys) {
    const r = layout.attrs.get(k) ?? UNKNOWN;
    if (r < last) sorted = false;
    last = r;
  }
  if (sorted) return el.attrs;
  const out: Record<string, string> = {};
  for (const k of keys.map((k, i) => ({ k, r: (layout.attrs.get(k) ?? UNKNOWN) + i / 1024 })).sort((a, b) => a.r - b.r)) out[k.k] = el.attrs[k.k];
  return out;
}

function orderedChildren(children: XmlElement[], layout: ElementLayout | undefined): XmlElement[] {
  if (!layout || children.length < 2) return children;
  const rank = (c: XmlElement) => layout.children.get(c.name) ?? UNKNOWN;
  for (let i = 1; i < children.length; i++) {
    if (rank(children[i]) < rank(children[i - 1])) {
      return children.map((c, j) => ({ c, r: rank(c), j })).sort((a, b) => a.r - b.r || a.j - b.j).map((x) => x.c);
    }
  }
  return children;
}

/** An element with layout `layout` (undefined: unknown to libvirt's layout), as libvirt writes it. */
export function formatLaidOut(el: XmlElement, layout: ElementLayout | undefined, indent: string): string {
  // another schema's elements (qemu:commandline) are written as they came
  if (el.name.includes(':')) return formatElement(el, indent);
  const open = `${indent}<${el.name}${formatAttrs(orderedAttrs(el, layout))}`;
  let elements: XmlElement[] | undefined;
  for (const c of el.children) if (typeof c !== 'string') (elements ??= []).push(c);
  if (elements === undefined) {
    const text = el.children.length === 1 ? (el.children[0] as string) : el.children.join('');
    return text.trim() === '' ? `${open}/>\n` : `${open}>${escapeXml(text)}</${el.name}>\n`;
  }
  let s = `${open}>\n`;
  const inner = `${indent}  `;
  for (const c of orderedChildren(elements, layout)) s += formatLaidOut(c, layout?.sub.get(c.name), inner);
  return `${s}${indent}</${el.name}>\n`;
}
