import { createRequire } from 'node:module';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { XmlElement, XmlNode } from './xml-element.js';

// The only module that touches libxmljs2. It is loaded on first use, so that programs
// that never parse XML (virsh list) do not pay for it.
interface XNode {
  type(): string;
  name(): string;
  line(): number;
  text(): string;
  attrs(): { name(): string; value(): string }[];
  namespace(): { prefix(): string | null; href(): string } | null;
  namespaces(local: boolean): { prefix(): string | null; href(): string }[];
  childNodes(): XNode[];
}
interface XDoc {
  root(): XNode | null;
  rngValidate(schema: XDoc): boolean;
  validationErrors: { message: string; line: number }[];
}
interface LibXml { parseXml(s: string, o: object): XDoc }
let lib: LibXml | null = null;
function loadLibxml(): LibXml {
  const here = createRequire(import.meta.url);
  try {
    return here('libxmljs2') as LibXml;
  } catch {
    // A single-file build that contains core (virsh's) finds it through the core package.
    return createRequire(here.resolve('@tsvirt/core'))('libxmljs2') as LibXml;
  }
}
const libxml = () => (lib ??= loadLibxml());

/** Bigger documents than this are refused before they reach the parser. */
export const MAX_XML_BYTES = 10 * 1024 * 1024;

// No network, no entity expansion, no DTD loading: untrusted input is safe to parse.
const SAFE = { nonet: true, noent: false, dtdload: false, dtdvalid: false, dtdattr: false, doctype: false, xinclude: false, huge: false };

function toTree(n: XNode): XmlElement {
  const attrs: Record<string, string> = {};
  for (const ns of n.namespaces(true)) attrs[ns.prefix() ? `xmlns:${ns.prefix()}` : 'xmlns'] = ns.href();
  for (const a of n.attrs()) attrs[a.name()] = a.value();
  const prefix = n.namespace()?.prefix();
  const children: XmlNode[] = [];
  for (const c of n.childNodes()) {
    const t = c.type();
    if (t === 'element') children.push(toTree(c));
    else if (t === 'text' || t === 'cdata') children.push(c.text());
  }
  return { name: prefix ? `${prefix}:${n.name()}` : n.name(), attrs, children, line: n.line() };
}

/** The context lines libvirt prints under an XML error: the line, then a caret at the column. */
function errorContext(text: string, line: number, column: number): string {
  const src = text.split('\n')[line - 1];
  if (!src) return '(null)\n^';
  const col = Math.max(0, Math.min(column - 1, src.length));
  const start = Math.max(0, col - 40);
  return `${src.slice(start, start + 80)}\n${' '.repeat(col - start)}^`;
}

/**
 * Parse an XML document into a light tree. `name` is what libvirt calls the source in
 * its messages, e.g. (domain_definition). A malformed document is VIR_ERR_XML_ERROR
 * with the line and column where it broke.
 */
export function parseXmlDocument(text: string, name: string): XmlElement {
  if (Buffer.byteLength(text) > MAX_XML_BYTES) {
    throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, `${name}: document is larger than ${MAX_XML_BYTES} bytes`);
  }
  let doc: XDoc;
  try {
    doc = libxml().parseXml(text, SAFE);
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number };
    if (err.line === undefined) {
      throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, `${name}: failed to parse xml document: ${err.message ?? 'empty document'}`);
    }
    const msg = (err.message ?? '').endsWith('\n') ? err.message! : `${err.message}\n`;
    // libvirt reports parser errors as VIR_ERR_XML_DETAIL, whose message is the parser's own.
    throw new VirError({
      code: ErrorNumber.XML_DETAIL, domain: ErrorDomain.XML, level: 2,
      message: `${name}:${err.line}: ${msg}${errorContext(text, err.line, err.column ?? 0)}`, int1: err.line, int2: err.column ?? 0,
    });
  }
  const root = doc.root();
  if (!root) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, `${name}: no root element`);
  return toTree(root);
}

/** Validate a document against a RelaxNG schema: the problems, with line numbers; empty when valid. */
export function validateWithRelaxNg(text: string, schemaText: string): string[] {
  const doc = libxml().parseXml(text, SAFE);
  const schema = libxml().parseXml(schemaText, SAFE);
  return doc.rngValidate(schema) ? [] : doc.validationErrors.map((e) => `line ${e.line}: ${e.message.trim()}`);
}
