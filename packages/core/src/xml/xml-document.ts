import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ErrorDomain, ErrorLevel, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { XmlElement } from './xml-element.js';
import { parseXml, XmlSyntaxError } from './xml-parser.js';
import { bytesOfEscapedText, decodeXmlBytes, Utf8Error, utf8Length } from './xml-bytes.js';

// The XML adapter: every document tsvirt reads comes through here, into the light
// XmlElement tree. The parser is core's own (xml-parser.ts): strict, first error only,
// nothing fetched or loaded. RelaxNG validation loads libxml2 (as WebAssembly) on first use.

/** Bigger documents than this are refused before they reach the parser. */
export const MAX_XML_BYTES = 10 * 1024 * 1024;

/**
 * libvirt's report of a parser error (VIR_ERR_XML_DETAIL): where the parser stopped, the
 * line it stopped in, and a pointer under the byte it stopped at.
 */
function detailError(text: string, offset: number, message: string, name: string, domain: number, halted = false): VirError {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  // As libvirt does: step back over line ends, then to the start of that line (the end
  // of the text reads as a NUL, which is no line end).
  const eol = (i: number) => i < text.length && (text[i] === '\n' || text[i] === '\r');
  let start = offset;
  while (start > 0 && eol(start)) start--;
  while (start > 0 && !eol(start)) start--;
  if (eol(start)) start++;
  let stop = start;
  while (stop < text.length && !eol(stop)) stop++;
  const content = halted ? '' : text.slice(start, stop);
  const column = utf8Length(text, start, Math.max(start, offset));
  let pointer = '';
  // The pointer counts bytes, as libvirt's does, and keeps the line's tabs.
  for (let n = 0, i = 0; n < column && i < content.length; i++) {
    const c = content.codePointAt(i)!;
    const bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c > 0xffff) i++;
    for (let b = 0; b < bytes && n < column; b++, n++) pointer += c === 0x09 ? '\t' : '-';
  }
  const detail = message.endsWith('\n') ? message : `${message}\n`;
  const report = `${name}:${line}: ${detail}${content === '' ? '(null)' : content}\n${pointer}^`;
  // libvirt raises it with the format "%s": str1 is that format, str2 the whole text.
  return new VirError({ code: ErrorNumber.XML_DETAIL, domain, level: ErrorLevel.ERROR, message: report, str1: '%s', str2: report });
}

/**
 * Parse an XML document into a light tree. `name` is what libvirt calls the source in its
 * messages, e.g. (domain_definition); `domain` is the error domain of the caller (libvirt
 * reports a domain's parse errors from VIR_FROM_DOMAIN, a network's from VIR_FROM_NETWORK).
 * Bytes are decoded strictly: invalid UTF-8 is refused as libvirt refuses it. A malformed
 * document is VIR_ERR_XML_DETAIL at its first error, with the line and a pointer.
 */
export function parseXmlDocument(source: string | Uint8Array, name: string, domain: number = ErrorDomain.XML): XmlElement {
  const size = typeof source === 'string' ? source.length : source.byteLength;
  if (size > MAX_XML_BYTES || (typeof source === 'string' && size * 3 > MAX_XML_BYTES && Buffer.byteLength(source) > MAX_XML_BYTES)) {
    throw VirError.of(ErrorNumber.XML_ERROR, domain, `${name}: document is larger than ${MAX_XML_BYTES} bytes`);
  }
  let text: string;
  try {
    const escaped = typeof source === 'string' ? bytesOfEscapedText(source) : null;
    text = typeof source !== 'string' ? decodeXmlBytes(source) : escaped ? decodeXmlBytes(escaped) : source;
  } catch (e) {
    if (!(e instanceof Utf8Error)) throw e;
    return throwIt(encodingError(e, name, domain));
  }
  try {
    return parseXml(text);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    return throwIt(detailError(text, e.offset, e.message, name, domain, e.halted));
  }
}

/**
 * libxml2 decodes as it goes: an error in the text before the bad bytes is reported
 * first, and bad bytes after the root element are extra content. An error found in the
 * text before them is that text's own when it does not depend on what follows.
 */
function encodingError(e: Utf8Error, name: string, domain: number): VirError {
  const before = e.text.slice(0, e.offset);
  const errorOf = (text: string) => {
    try {
      parseXml(text);
      return null;
    } catch (err) {
      if (!(err instanceof XmlSyntaxError)) throw err;
      return err;
    }
  };
  const alone = errorOf(before);
  if (alone === null) return detailError(e.text, e.offset, 'Extra content at the end of the document', name, domain);
  const followed = errorOf(`${before}\uffff`);
  if (followed?.message === alone.message && followed.offset === alone.offset) {
    return detailError(e.text, alone.offset, alone.message, name, domain, alone.halted);
  }
  return detailError(e.text, e.offset, e.message, name, domain);
}

const throwIt = (e: VirError): never => {
  throw e;
};

interface Validator { validate(doc: unknown): void }
interface LibXml2 {
  XmlDocument: { fromString(s: string, o?: { url?: string; option?: number }): { dispose(): void } };
  RelaxNGValidator: { fromDoc(d: unknown): Validator };
  xmlRegisterInputProvider(p: { match(f: string): boolean; open(f: string): number | undefined; read(fd: number, buf: Uint8Array): number; close(fd: number): boolean }): boolean;
  ParseOption: { XML_PARSE_NONET: number };
}
let libxml2: Promise<LibXml2> | null = null;
const validators = new Map<string, Validator>();
/** Folders of the schemas in use: the only files libxml2 may read (a schema's includes). */
const schemaFolders = new Set<string>();

async function loadLibxml2(): Promise<LibXml2> {
  const here = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = here.resolve('libxml2-wasm');
  } catch {
    // A single-file build that contains core (virsh's) finds it through the core package.
    entry = createRequire(here.resolve('@tsvirt/core')).resolve('libxml2-wasm');
  }
  const lib = (await import(pathToFileURL(entry).href)) as LibXml2;
  const open = new Map<number, { data: Buffer; at: number }>();
  let next = 1;
  const allowed = (f: string) => {
    const file = f.startsWith('file://') ? fileURLToPath(f) : f;
    return [...schemaFolders].some((d) => file.startsWith(d) && !file.slice(d.length).split('/').includes('..')) ? file : null;
  };
  lib.xmlRegisterInputProvider({
    match: (f) => allowed(f) !== null,
    open: (f) => {
      const file = allowed(f);
      if (file === null) return undefined;
      try {
        open.set(next, { data: readFileSync(file), at: 0 });
      } catch {
        return undefined;
      }
      return next++;
    },
    read: (fd, buf) => {
      const s = open.get(fd)!;
      const n = s.data.copy(buf, 0, s.at);
      s.at += n;
      return n;
    },
    close: (fd) => open.delete(fd),
  });
  return lib;
}

/**
 * Validate a document against a RelaxNG schema file (its includes are read from the same
 * folder, nothing else): the problems, with line numbers; empty when valid. libxml2 is
 * loaded (as WebAssembly) on first use, so that only validating programs pay for it, and
 * each schema is compiled once.
 */
export async function validateWithRelaxNg(text: string, schemaFile: string): Promise<string[]> {
  let lib: LibXml2;
  try {
    lib = await (libxml2 ??= loadLibxml2());
  } catch (e) {
    libxml2 = null;
    // Code run from V8's code cache (virsh's single-file build) cannot import() an ES
    // module: a worker thread, which can, validates instead.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING') throw e;
    return validateInWorker(text, resolve(schemaFile));
  }
  const file = resolve(schemaFile);
  let validator = validators.get(file);
  if (!validator) {
    schemaFolders.add(`${dirname(file)}/`);
    const schemaDoc = lib.XmlDocument.fromString(readFileSync(file, 'utf8'), { url: file });
    try {
      validator = lib.RelaxNGValidator.fromDoc(schemaDoc);
    } finally {
      schemaDoc.dispose();
    }
    validators.set(file, validator);
  }
  let doc: { dispose(): void } | null = null;
  try {
    doc = lib.XmlDocument.fromString(text, { option: lib.ParseOption.XML_PARSE_NONET });
    validator.validate(doc);
    return [];
  } catch (e) {
    const details = (e as { details?: { message: string; line: number }[] }).details;
    if (!details) throw e;
    return details.map((d) => `line ${d.line}: ${d.message.trim()}`);
  } finally {
    doc?.dispose();
  }
}

async function validateInWorker(text: string, schemaFile: string): Promise<string[]> {
  // loaded here: worker_threads costs every short-lived client start-up time; required, not
  // imported, since this runs exactly where import() cannot
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const core = createRequire(import.meta.url).resolve('@tsvirt/core');
  const adapter = pathToFileURL(join(dirname(core), 'xml', 'xml-document.js')).href;
  const code = `const { parentPort, workerData } = require('node:worker_threads');
import(${JSON.stringify(adapter)}).then((m) => m.validateWithRelaxNg(...workerData)).then((r) => parentPort.postMessage(r));`;
  const worker = new Worker(code, { eval: true, workerData: [text, schemaFile] });
  return new Promise((done, fail) => {
    worker.once('message', done);
    worker.once('error', fail);
  });
}
