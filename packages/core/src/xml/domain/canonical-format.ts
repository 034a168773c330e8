import { escapeXml, formatAttrs, formatElement, type XmlElement } from '../xml-element.js';
import type { ElementLayout } from './domain-layout.js';

// One formatter for every part of a domain that is kept as a tree: attributes and
// children in libvirt's order (domain-layout.ts), two-space indent, single quotes.

const UNKNOWN = 1 << 20;

function orderedAttrs(el: XmlElement, layout: ElementLayout | undefined): Record<string, string> {
  if (!layout) return el.attrs;
  // most elements are in order already: check without allocating
  let last = -1;
  let sorted = true;
  for (const k in el.attrs) {
    const r = layout.attrs.get(k) ?? UNKNOWN;
    if (r < last) {
      sorted = false;
      break;
    }
    last = r;
  }
  if (sorted) return el.attrs;
  const out: Record<string, string> = {};
  const keys = Object.keys(el.attrs);
  for (const k of keys.map((k, i) => ({ k, r: (layout.attrs.get(k) ?? UNKNOWN) + i / 1024 })).sort((a, b) => a.r - b.r)) out[k.k] = el.attrs[k.k];
  return out;
}

/** The child elements in libvirt's order: the children themselves (text included) when they are in order already. */
function orderedChildren(children: XmlElement['children'], layout: ElementLayout | undefined): XmlElement['children'] {
  if (!layout) return children;
  let last = -1;
  for (const c of children) {
    if (typeof c === 'string') continue;
    const r = layout.children.get(c.name) ?? UNKNOWN;
    if (r < last) {
      const rank = (e: XmlElement) => layout.children.get(e.name) ?? UNKNOWN;
      return children.filter((x): x is XmlElement => typeof x !== 'string')
        .map((e, j) => ({ e, r: rank(e), j })).sort((a, b) => a.r - b.r || a.j - b.j).map((x) => x.e);
    }
    last = r;
  }
  return children;
}

/** An element with layout `layout` (undefined: unknown to libvirt's layout), as libvirt writes it. */
export function formatLaidOut(el: XmlElement, layout: ElementLayout | undefined, indent: string): string {
  // another schema's elements (qemu:commandline) are written as they came
  if (el.name.includes(':')) return formatElement(el, indent);
  const open = `${indent}<${el.name}${formatAttrs(orderedAttrs(el, layout))}`;
  const children = el.children;
  let hasElements = false;
  for (const c of children) {
    if (typeof c !== 'string') {
      hasElements = true;
      break;
    }
  }
  if (!hasElements) {
    const text = children.length === 1 ? (children[0] as string) : children.join('');
    return text.trim() === '' ? `${open}/>\n` : `${open}>${escapeXml(text)}</${el.name}>\n`;
  }
  let s = `${open}>\n`;
  const inner = `${indent}  `;
  for (const c of orderedChildren(children, layout)) if (typeof c !== 'string') s += formatLaidOut(c, layout?.sub.get(c.name), inner);
  return `${s}${indent}</${el.name}>\n`;
}
