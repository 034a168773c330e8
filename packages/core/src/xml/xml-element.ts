/**
 * A light, plain-object XML tree: what the XML adapter parses into and the formatters
 * write from. Element order and attribute order are kept as written; `name` is the
 * qualified name as written (`qemu:commandline`), namespace declarations are attributes.
 * Children are elements and text; comments and processing instructions are dropped, and
 * so is the indentation between child elements (white space that means nothing in
 * libvirt's documents). Text next to elements (mixed content) is kept as written.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  line: number;
}
export type XmlNode = XmlElement | string;

export const isElement = (n: XmlNode): n is XmlElement => typeof n !== 'string';

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string' && (name === undefined || c.name === name)) out.push(c);
  return out;
}

export function childElement(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

/** The text content of an element (its own and its descendants'). */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** The trimmed text of a named child element, or undefined when there is none. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = childElement(el, name);
  return c === undefined ? undefined : textOf(c).trim();
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };
const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;
/** Text or an attribute value with XML's special characters escaped (most have none: returned as is). */
export const escapeXml = (s: string) => (SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPES[c]) : s);

/**
 * Attributes as libvirt writes them: ` name='value'`, in the given order. Elements that
 * libvirt copies through libxml2 unchanged (custom metadata) are written with `"`.
 */
export function formatAttrs(attrs: Record<string, string | number | undefined | null>, quote: "'" | '"' = "'"): string {
  let s = '';
  for (const k in attrs) {
    const v = attrs[k];
    if (v !== undefined && v !== null) s += ` ${k}=${quote}${escapeXml(String(v))}${quote}`;
  }
  return s;
}

/**
 * An element as libvirt formats XML: two-space indent, single-quoted attributes, empty
 * elements closed as <x/>, whitespace-only text dropped between child elements.
 */
export function formatElement(el: XmlElement, indent = '', quote: "'" | '"' = "'"): string {
  const open = `${indent}<${el.name}${formatAttrs(el.attrs, quote)}`;
  const elems = el.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
  if (elems.length === 0) return `${open}/>\n`;
  if (elems.every((c) => typeof c === 'string')) return `${open}>${escapeXml(elems.join(''))}</${el.name}>\n`;
  let s = `${open}>\n`;
  for (const c of elems) s += typeof c === 'string' ? `${indent}  ${escapeXml(c.trim())}\n` : formatElement(c, `${indent}  `, quote);
  return `${s}${indent}</${el.name}>\n`;
}

export function element(name: string, attrs: Record<string, string> = {}, children: XmlNode[] = []): XmlElement {
  return { name, attrs, children, line: 0 };
}
