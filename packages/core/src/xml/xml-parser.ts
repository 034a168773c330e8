import type { XmlElement, XmlNode } from './xml-element.js';

/**
 * A strict, non-validating XML 1.0 parser for the documents libvirt's APIs take: one pass
 * over the text, straight into the light `XmlElement` tree. It never fetches anything,
 * expands only the predefined and internally declared entities (bounded), skips a DOCTYPE
 * without loading it, bounds nesting depth, and stops at the first error, naming the
 * place where libxml2 stops, with libxml2's wording.
 */

/** libxml2's default nesting limit (without XML_PARSE_HUGE). */
export const MAX_XML_DEPTH = 256;
/** The most text that entity references may add to a document. */
const MAX_ENTITY_EXPANSION = 1 << 20;

/** Where and why a document is not well-formed. `offset` indexes the parsed text. */
export class XmlSyntaxError extends Error {
  /** `halted`: libxml2 has dropped its input by then, and libvirt shows no context line. */
  constructor(message: string, readonly offset: number, readonly halted = false) {
    super(message);
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

// Whitespace between elements repeats in every document: one shared string per indent.
const INDENTS: string[] = [];
for (let i = 0; i <= 64; i++) INDENTS.push(`\n${' '.repeat(i)}`);

/**
 * A copy of a piece of the document that does not keep the document alive: V8 makes
 * longer substrings views into their parent, and parsed values outlive the text.
 */
function detached(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end);
  // A JSON round trip is the one way to a flat copy of its own (no view into another string).
  return JSON.parse(JSON.stringify(text.slice(start, end))) as string;
}

// Names and short values repeat across documents (element and attribute names, 'yes',
// 'virtio', bus addresses): parsed documents share one string for each. A direct-mapped
// table, keyed by a hash computed while scanning, finds them without allocating.
const INTERN_MAX_LENGTH = 40;
const INTERN_SLOTS = 4096;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);
function intern(text: string, start: number, end: number, hash: number): string {
  const slot = (hash ^ (hash >>> 12)) & (INTERN_SLOTS - 1);
  const known = interned[slot];
  if (known !== undefined && known.length === end - start && text.startsWith(known, start)) return known;
  const own = detached(text, start, end);
  interned[slot] = own;
  return own;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d)
    || (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef)
    || (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0xd800 && c <= 0xdbff);
}

function isNameChar(c: number): boolean {
  if (c < 0x80) return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040 || (c >= 0xdc00 && c <= 0xdfff);
}

/** XML 1.0's Char production, on UTF-16 code units (a surrogate must be paired). */
function isBadChar(text: string, i: number, c: number): boolean {
  if (c >= 0x20) {
    if (c < 0xd800) return false;
    if (c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      return !(d >= 0xdc00 && d <= 0xdfff);
    }
    if (c <= 0xdfff) return !(i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff);
    return c === 0xfffe || c === 0xffff;
  }
  return c !== 0x09 && c !== 0x0a && c !== 0x0d;
}

const hex = (c: number) => `0x${c.toString(16).toUpperCase()}`;

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/**
 * An element's children as kept: without the indentation between child elements (white
 * space means nothing there in libvirt's documents, and libvirt's formatters indent anew),
 * in an array of the exact size (a grown array keeps spare room, and trees outlive parses).
 */
function trimmed(children: XmlNode[]): XmlNode[] {
  let elements = 0;
  for (const c of children) {
    if (typeof c !== 'string') elements++;
    else if (!isBlank(c)) return children.slice();
  }
  if (elements === 0 || elements === children.length) return children.slice();
  const out: XmlNode[] = new Array<XmlNode>(elements);
  let n = 0;
  for (const c of children) if (typeof c !== 'string') out[n++] = c;
  return out;
}

/** Parse a whole document; its root element, or an XmlSyntaxError at the first error. */
export function parseXml(text: string): XmlElement {
  return new Parser(text).document();
}

class Parser {
  private pos = 0;
  private readonly end: number;
  /** entities declared in the DOCTYPE's internal subset; null for external ones */
  private entities: Map<string, string | null> | null = null;
  private expanded = 0;

  constructor(private readonly text: string) {
    this.end = text.length;
  }

  private fail(message: string, at = this.pos): never {
    throw new XmlSyntaxError(message, Math.min(at, this.end));
  }

  private startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.end && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  private name(): string | null {
    const t = this.text;
    const start = this.pos;
    if (start >= this.end || !isNameStart(t.charCodeAt(start))) return null;
    let hash = t.charCodeAt(start);
    let i = start + 1;
    for (; i < this.end; i++) {
      const c = t.charCodeAt(i);
      if (!isNameChar(c)) break;
      hash = (hash * 31 + c) | 0;
    }
    this.pos = i;
    return intern(t, start, i, hash);
  }

  document(): XmlElement {
    const t = this.text;
    if (t.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (this.pos >= this.end) this.fail('Document is empty');
    if (this.startsWith('<?xml') && isSpace(t.charCodeAt(this.pos + 5))) this.xmlDecl();
    this.misc(true);
    if (this.pos >= this.end || t.charCodeAt(this.pos) !== 0x3c) this.fail("Start tag expected, '<' not found");
    const root = this.element();
    this.misc(false);
    if (this.pos < this.end) this.fail('Extra content at the end of the document');
    return root;
  }

  private xmlDecl(): void {
    this.pos += 5;
    const close = this.text.indexOf('?>', this.pos);
    if (close < 0) this.fail('parsing XML declaration: \'?>\' expected');
    const decl = this.text.slice(this.pos, close);
    if (!/^\s+version\s*=\s*(['"])1\.\d+\1/.test(decl)) this.fail('Malformed declaration expecting version', this.pos + 1);
    this.pos = close + 2;
  }

  /** Comments, processing instructions, white space and (before the root) one DOCTYPE. */
  private misc(prolog: boolean): void {
    const t = this.text;
    for (;;) {
      this.skipSpace();
      if (t.charCodeAt(this.pos) !== 0x3c) return;
      const c = t.charCodeAt(this.pos + 1);
      if (c === 0x3f) this.pi();
      else if (c === 0x21 && this.text.startsWith('--', this.pos + 2)) this.comment();
      else if (prolog && c === 0x21 && this.text.startsWith('DOCTYPE', this.pos + 2) && this.entities === null) this.doctype();
      else return;
    }
  }

  private comment(): void {
    const close = this.text.indexOf('--', this.pos + 4);
    if (close < 0 || this.text.charCodeAt(close + 2) !== 0x3e) {
      if (close >= 0) this.fail(`Double hyphen within comment: ${this.text.slice(this.pos, close).slice(0, 50)}\n`, close);
      this.fail('Comment not terminated', this.end);
    }
    this.checkChars(this.pos + 4, close);
    this.pos = close + 3;
  }

  private pi(): void {
    this.pos += 2;
    const target = this.name();
    if (target === null) this.fail('xmlParsePI : no target name');
    if (target.toLowerCase() === 'xml') this.fail('XML declaration allowed only at the start of the document');
    const close = this.text.indexOf('?>', this.pos);
    if (close < 0) this.fail(`PI ${target} never end ...`, this.end);
    if (close > this.pos && !isSpace(this.text.charCodeAt(this.pos))) this.fail(`ParsePI: PI ${target} space expected`);
    this.checkChars(this.pos, close);
    this.pos = close + 2;
  }

  /**
   * <!DOCTYPE name ExternalID? [internal subset]?>: nothing is loaded; general entities
   * declared inside are remembered (external ones as empty, as libvirt's parser leaves them).
   */
  private doctype(): void {
    this.pos += 9;
    this.entities = new Map();
    this.skipSpace();
    if (this.name() === null) this.fail('xmlParseDocTypeDecl : no DOCTYPE name !');
    this.skipSpace();
    if (this.startsWith('SYSTEM') || this.startsWith('PUBLIC')) {
      const isPublic = this.startsWith('PUBLIC');
      this.pos += 6;
      this.skipSpace();
      this.quoted();
      if (isPublic) {
        this.skipSpace();
        this.quoted();
      }
      this.skipSpace();
    }
    if (this.text.charCodeAt(this.pos) === 0x5b) {
      this.pos++;
      this.internalSubset();
    }
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== 0x3e) this.fail('DOCTYPE improperly terminated');
    this.pos++;
  }

  private quoted(): string {
    const q = this.text.charCodeAt(this.pos);
    if (q !== 0x22 && q !== 0x27) this.fail('SystemLiteral " or \' expected');
    const close = this.text.indexOf(q === 0x22 ? '"' : "'", this.pos + 1);
    if (close < 0) this.fail('Unfinished System or Public ID " or \' expected', this.end);
    const value = this.text.slice(this.pos + 1, close);
    this.pos = close + 1;
    return value;
  }

  private internalSubset(): void {
    const t = this.text;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end) this.fail('xmlParseInternalSubset: error detected in Markup declaration', this.end);
      const c = t.charCodeAt(this.pos);
      if (c === 0x5d) {
        this.pos++;
        return;
      }
      if (c === 0x25) {
        // A parameter-entity reference: never resolved, since nothing external is loaded.
        this.pos++;
        if (this.name() === null || t.charCodeAt(this.pos) !== 0x3b) this.fail('PEReference: expecting \';\'');
        this.pos++;
      } else if (this.startsWith('<!--')) this.comment();
      else if (this.startsWith('<?')) this.pi();
      else if (this.startsWith('<!ENTITY')) this.entityDecl();
      else if (this.startsWith('<!')) this.markupDecl();
      else this.fail('xmlParseInternalSubset: error detected in Markup declaration');
    }
  }

  /** ELEMENT, ATTLIST and NOTATION declarations: checked for their end only, then ignored. */
  private markupDecl(): void {
    const t = this.text;
    let i = this.pos + 2;
    while (i < this.end && t.charCodeAt(i) !== 0x3e) {
      const c = t.charCodeAt(i);
      if (c === 0x22 || c === 0x27) {
        const close = t.indexOf(c === 0x22 ? '"' : "'", i + 1);
        if (close < 0) break;
        i = close;
      } else if (c === 0x3c) break;
      i++;
    }
    if (i >= this.end || t.charCodeAt(i) !== 0x3e) this.fail('xmlParseInternalSubset: error detected in Markup declaration', i);
    this.pos = i + 1;
  }

  private entityDecl(): void {
    this.pos += 8;
    if (!this.skipSpace()) this.fail('Space required after \'<!ENTITY\'');
    let parameter = false;
    if (this.text.charCodeAt(this.pos) === 0x25) {
      parameter = true;
      this.pos++;
      this.skipSpace();
    }
    const name = this.name();
    if (name === null) this.fail('xmlParseEntityDecl: no name');
    this.skipSpace();
    let value: string | null = null;
    if (this.startsWith('SYSTEM') || this.startsWith('PUBLIC')) {
      this.markupDecl();
    } else {
      const raw = this.quoted();
      // Only plain text is expanded: markup or references inside a declaration are not.
      value = /[<&%]/.test(raw) ? null : raw;
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3e) this.fail('xmlParseEntityDecl: entity ' + name + ' not terminated');
      this.pos++;
    }
    if (!parameter && !this.entities!.has(name)) this.entities!.set(name, value);
  }

  /** Every character of a run must be an XML Char. */
  private checkChars(from: number, to: number): void {
    const t = this.text;
    for (let i = from; i < to; i++) {
      const c = t.charCodeAt(i);
      if ((c < 0x20 || c >= 0xd800) && isBadChar(t, i, c)) this.fail(`Char ${hex(c)} out of allowed range`, i);
    }
  }

  /** An entity or character reference at this.pos ('&'); its replacement text. */
  private reference(): string {
    const t = this.text;
    const start = this.pos;
    if (t.charCodeAt(start + 1) === 0x23) {
      const isHex = t.charCodeAt(start + 2) === 0x78;
      let i = start + (isHex ? 3 : 2);
      let v = 0;
      const digitsFrom = i;
      for (; i < this.end; i++) {
        const c = t.charCodeAt(i);
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : isHex && c >= 0x61 && c <= 0x66 ? c - 0x57 : isHex && c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) break;
        v = v * (isHex ? 16 : 10) + d;
        if (v > 0x10ffff) v = 0x110000;
      }
      if (i === digitsFrom || t.charCodeAt(i) !== 0x3b) this.fail(isHex ? 'CharRef: invalid hexadecimal value' : 'CharRef: invalid decimal value', i);
      this.pos = i + 1;
      const ok = v === 0x9 || v === 0xa || v === 0xd || (v >= 0x20 && v <= 0xd7ff) || (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff);
      if (!ok) this.fail(`xmlParseCharRef: invalid xmlChar value ${v}`);
      return String.fromCodePoint(v);
    }
    this.pos++;
    const name = this.name();
    if (name === null) this.fail('xmlParseEntityRef: no name');
    if (t.charCodeAt(this.pos) !== 0x3b) this.fail("EntityRef: expecting ';'");
    this.pos++;
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    if (!this.entities?.has(name)) this.fail(`Entity '${name}' not defined`);
    const value = this.entities.get(name) ?? '';
    this.expanded += value.length;
    if (this.expanded > MAX_ENTITY_EXPANSION) this.fail('Maximum entity amplification factor exceeded');
    return value;
  }

  /** Character data up to the next '<' (or the end), references resolved, line ends normalised. */
  private charData(): string {
    const t = this.text;
    const start = this.pos;
    let i = start;
    let simple = true;
    let hash = 0;
    for (; i < this.end; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x3c) break;
      if (c === 0x26 || c === 0x0d) {
        simple = false;
        break;
      }
      if (c === 0x3e && t.charCodeAt(i - 1) === 0x5d && t.charCodeAt(i - 2) === 0x5d) this.fail("Sequence ']]>' not allowed in content", start);
      if ((c < 0x20 || c >= 0xd800) && isBadChar(t, i, c)) this.fail(`PCDATA invalid Char value ${c}`, i);
      hash = (hash * 31 + c) | 0;
    }
    if (simple) {
      this.pos = i;
      if (t.charCodeAt(start) === 0x0a && i - start <= 65) {
        const indent = INDENTS[i - start - 1];
        if (t.startsWith(indent, start)) return indent;
      }
      return i - start <= INTERN_MAX_LENGTH ? intern(t, start, i, hash) : detached(t, start, i);
    }
    let out = t.slice(start, i);
    this.pos = i;
    while (this.pos < this.end) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x3c) break;
      if (c === 0x26) out += this.reference();
      else if (c === 0x0d) {
        out += '\n';
        this.pos += t.charCodeAt(this.pos + 1) === 0x0a ? 2 : 1;
      } else {
        if (c === 0x3e && t.charCodeAt(this.pos - 1) === 0x5d && t.charCodeAt(this.pos - 2) === 0x5d) this.fail("Sequence ']]>' not allowed in content", start);
        if ((c < 0x20 || c >= 0xd800) && isBadChar(t, this.pos, c)) this.fail(`PCDATA invalid Char value ${c}`);
        out += t[this.pos];
        this.pos++;
      }
    }
    return out.length < 13 ? out : detached(out, 0, out.length);
  }

  /** An attribute value after its opening quote; XML's attribute-value normalisation applied. */
  private attrValue(): string {
    const t = this.text;
    const q = t.charCodeAt(this.pos);
    if (q !== 0x22 && q !== 0x27) this.fail('AttValue: " or \' expected');
    const start = ++this.pos;
    let i = start;
    let hash = 0;
    for (; i < this.end; i++) {
      const c = t.charCodeAt(i);
      if (c === q) {
        this.pos = i + 1;
        return i - start <= INTERN_MAX_LENGTH ? intern(t, start, i, hash) : detached(t, start, i);
      }
      if (c === 0x26 || c === 0x3c || c < 0x20 || c >= 0xd800) break;
      hash = (hash * 31 + c) | 0;
    }
    let out = t.slice(start, i);
    this.pos = i;
    for (;;) {
      if (this.pos >= this.end) this.fail('AttValue: \' expected', this.end);
      const c = t.charCodeAt(this.pos);
      if (c === q) break;
      if (c === 0x3c) this.fail("Unescaped '<' not allowed in attributes values");
      if (c === 0x26) out += this.reference();
      else if (c === 0x0d && t.charCodeAt(this.pos + 1) === 0x0a) {
        out += ' ';
        this.pos += 2;
      } else if (c === 0x09 || c === 0x0a || c === 0x0d) {
        out += ' ';
        this.pos++;
      } else {
        if ((c < 0x20 || c >= 0xd800) && isBadChar(t, this.pos, c)) this.fail(`invalid character in attribute value`);
        out += t[this.pos];
        this.pos++;
      }
    }
    this.pos++;
    return out.length < 13 ? out : detached(out, 0, out.length);
  }

  /** The element at this.pos ('<') and everything in it, without recursion. */
  private element(): XmlElement {
    const t = this.text;
    const stack: XmlElement[] = [];
    let line = 1;
    let lineCounted = 0;
    const lineOf = (offset: number) => {
      for (let i = t.indexOf('\n', lineCounted); i >= 0 && i < offset; i = t.indexOf('\n', i + 1)) {
        line++;
        lineCounted = i + 1;
      }
      return line;
    };
    let root: XmlElement | null = null;
    for (;;) {
      // At '<' of a start tag.
      const tagStart = this.pos;
      if (stack.length > MAX_XML_DEPTH) this.fail(`Excessive depth in document: ${MAX_XML_DEPTH} use XML_PARSE_HUGE option`);
      this.pos++;
      const name = this.name();
      if (name === null) this.fail('StartTag: invalid element name');
      const el: XmlElement = { name, attrs: {}, children: [], line: lineOf(tagStart) };
      let selfClosing = false;
      this.skipSpace();
      for (;;) {
        // As libxml2: attributes until '>' or '/>', each but the first after white space.
        const c = t.charCodeAt(this.pos);
        if (c === 0x3e) {
          this.pos++;
          break;
        }
        if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x3e) {
          this.pos += 2;
          selfClosing = true;
          break;
        }
        if (this.pos >= this.end) this.fail(`Couldn't find end of Start Tag ${name} line ${el.line}`);
        const attrName = this.name();
        if (attrName === null) this.fail('error parsing attribute name');
        this.skipSpace();
        if (t.charCodeAt(this.pos) !== 0x3d) this.fail(`Specification mandates value for attribute ${attrName}`);
        this.pos++;
        this.skipSpace();
        const value = this.attrValue();
        if (Object.prototype.hasOwnProperty.call(el.attrs, attrName)) this.fail(`Attribute ${attrName} redefined`);
        el.attrs[attrName] = value;
        const next = t.charCodeAt(this.pos);
        if (next !== 0x3e && !(next === 0x2f && t.charCodeAt(this.pos + 1) === 0x3e) && !this.skipSpace() && this.pos < this.end) {
          this.fail('attributes construct error');
        }
      }
      if (stack.length) stack[stack.length - 1].children.push(el);
      else root = el;
      if (!selfClosing) stack.push(el);
      // Content until the next start tag, or until the stack empties.
      while (stack.length) {
        const parent = stack[stack.length - 1];
        if (this.pos >= this.end) this.fail(`Premature end of data in tag ${parent.name} line ${parent.line}`);
        if (t.charCodeAt(this.pos) !== 0x3c) {
          const text = this.charData();
          const last = parent.children.length - 1;
          if (last >= 0 && typeof parent.children[last] === 'string') parent.children[last] += text;
          else parent.children.push(text);
          continue;
        }
        const c = t.charCodeAt(this.pos + 1);
        if (c === 0x2f) {
          this.pos += 2;
          const closeName = this.name();
          if (closeName !== parent.name) {
            this.skipSpace();
            if (t.charCodeAt(this.pos) === 0x3e) this.pos++;
            this.fail(`Opening and ending tag mismatch: ${parent.name} line ${parent.line} and ${closeName ?? ''}`);
          }
          this.skipSpace();
          if (t.charCodeAt(this.pos) !== 0x3e) this.fail("expected '>'");
          this.pos++;
          if (parent.children.length) parent.children = trimmed(parent.children);
          stack.pop();
        } else if (c === 0x21) {
          if (t.startsWith('--', this.pos + 2)) this.comment();
          else if (t.startsWith('[CDATA[', this.pos + 2)) this.cdata(parent);
          else this.fail('StartTag: invalid element name', this.pos + 1);
        } else if (c === 0x3f) this.pi();
        else break;
      }
      if (!stack.length) return root!;
    }
  }

  private cdata(parent: XmlElement): void {
    const start = this.pos + 9;
    const close = this.text.indexOf(']]>', start);
    if (close < 0) throw new XmlSyntaxError(`CData section not finished\n${this.text.slice(start, start + 50)}\n`, this.end, true);
    this.checkChars(start, close);
    const text = detached(this.text, start, close).replace(/\r\n?/g, '\n');
    const children: XmlNode[] = parent.children;
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === 'string') children[last] += text;
    else children.push(text);
    this.pos = close + 3;
  }
}
