import { escapeXml, formatElement, type XmlElement } from '../xml-element.js';
import type { ElementLayout } from './domain-layout.js';

// One formatter for every part of a domain that is kept as a tree: attributes and
// children in libvirt's order (domain-layout.ts), two-space indent, single quotes.
// dumpxml runs it on every call, so it writes in one pass and allocates nothing but the
// text: an element already in libvirt's order (nearly all are) is never copied or sorted.

const UNKNOWN = 1 << 20;

/** What a caller without VIR_DOMAIN_XML_SECURE may not see: attributes and elements, at any depth. */
export interface Omitted {
  attrs: readonly string[];
  elements: readonly string[];
}

function attrsInOrder(el: XmlElement, ranks: Map<string, number>, omit: Omitted | undefined): string {
  const keys = Object.keys(el.attrs);
  const order = keys.map((k, i) => ({ k, r: (ranks.get(k) ?? UNKNOWN) + i / 1024 })).sort((a, b) => a.r - b.r);
  let s = '';
  for (const { k } of order) {
    const v = el.attrs[k];
    if (v !== undefined && !omit?.attrs.includes(k)) s += ` ${k}='${escapeXml(v)}'`;
  }
  return s;
}

/** The attributes as libvirt writes them (` name='value'`); unset ones (undefined) are skipped. */
function formatAttrsLaidOut(el: XmlElement, ranks: Map<string, number> | undefined, omit: Omitted | undefined): string {
  let s = '';
  // ranks are looked up only from the second attribute on: most elements have one
  let first: string | undefined;
  let last = -1;
  const check = ranks !== undefined && ranks.size !== 0;
  const attrs = el.attrs;
  for (const k in attrs) {
    const v = attrs[k];
    if (v === undefined) continue;
    if (check) {
      if (first === undefined) first = k;
      else {
        if (last < 0) last = ranks.get(first) ?? UNKNOWN;
        const r = ranks.get(k) ?? UNKNOWN;
        if (r < last) return attrsInOrder(el, ranks, omit);
        last = r;
      }
    }
    if (omit !== undefined && omit.attrs.includes(k)) continue;
    s += ` ${k}='${escapeXml(v)}'`;
  }
  return s;
}

/** The child elements in libvirt's order (text dropped), for the rare element that is out of order. */
function childrenInOrder(children: XmlElement['children'], ranks: Map<string, number>): XmlElement[] {
  const rank = (e: XmlElement) => ranks.get(e.name) ?? UNKNOWN;
  return children.filter((x): x is XmlElement => typeof x !== 'string')
    .map((e, j) => ({ e, r: rank(e), j })).sort((a, b) => a.r - b.r || a.j - b.j).map((x) => x.e);
}

function isInOrder(children: XmlElement['children'], ranks: Map<string, number>): boolean {
  if (ranks.size === 0) return true;
  let first: XmlElement | undefined;
  let last = -1;
  for (const c of children) {
    if (typeof c === 'string') continue;
    if (first === undefined) {
      first = c;
      continue;
    }
    if (last < 0) last = ranks.get(first.name) ?? UNKNOWN;
    const r = ranks.get(c.name) ?? UNKNOWN;
    if (r < last) return false;
    last = r;
  }
  return true;
}

/**
 * An element with layout `layout` (undefined: unknown to libvirt's layout), as libvirt
 * writes it; `omit`: the secrets to leave out.
 */
export function formatLaidOut(el: XmlElement, layout: ElementLayout | undefined, indent: string, omit?: Omitted): string {
  // another schema's elements (qemu:commandline) are written as they came
  if (el.name.includes(':')) return formatElement(el, indent);
  const open = `${indent}<${el.name}${formatAttrsLaidOut(el, layout?.attrs, omit)}`;
  const children = el.children;
  let hasElements = false;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c !== 'string' && (omit === undefined || !omit.elements.includes(c.name))) {
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
  const sub = layout?.sub;
  const ordered = layout === undefined || isInOrder(children, layout.children) ? children : childrenInOrder(children, layout.children);
  for (let i = 0; i < ordered.length; i++) {
    const c = ordered[i];
    if (typeof c === 'string' || (omit !== undefined && omit.elements.includes(c.name))) continue;
    s += formatLaidOut(c, sub?.get(c.name), inner, omit);
  }
  return `${s}${indent}</${el.name}>\n`;
}
