import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VirError } from '@tsvirt/core';
import { parseXmlDocument, textOf, type XmlElement } from '@tsvirt/core/xml';
import { ParseOption, RelaxNGValidator, XmlDocument, XmlLibError } from 'libxml2-wasm';
import type {
  ApiDef, ArgCheck, ArgDef, CallbackDef, EnumDef, EventDef, ErrorsDef, MethodDef, ObjectDef, PropertyDef, StructDef, TypeRef,
  WireProgramDef, XdrDeclDef, XdrMemberDef, XdrTypeDef,
} from './api-model.js';
import { EVENT_FILTER, EVENT_LISTENER, PRIMITIVES, type WireProcedureDef } from './api-model.js';

// api.xml is checked against its RelaxNG schema by libxml2 (as WebAssembly), then read
// into the model from core's XML tree. This file is the only user of either here.
interface XNode {
  type(): string;
  name(): string;
  line(): number;
  text(): string;
  attr(name: string): { value(): string } | null;
  childNodes(): XNode[];
}

function nodeOf(el: XmlElement): XNode {
  const children = el.children.filter((c): c is XmlElement => typeof c !== 'string').map(nodeOf);
  return {
    type: () => 'element', name: () => el.name, line: () => el.line, text: () => textOf(el),
    attr: (n) => (Object.hasOwn(el.attrs, n) ? { value: () => el.attrs[n] } : null), childNodes: () => children,
  };
}

/** A problem in api.xml, with the line it is on. */
export class ApiXmlError extends Error {
  constructor(readonly file: string, readonly problems: { line: number; message: string }[]) {
    super(problems.map((p) => `${file}:${p.line}: ${p.message}`).join('\n'));
  }
}

const SCHEMA = fileURLToPath(new URL('../schema/api.rng', import.meta.url));

const problemsOf = (e: unknown) =>
  e instanceof XmlLibError ? e.details.map((d) => ({ line: d.line, message: d.message.trim() })) : [{ line: 0, message: String(e) }];

function parse(text: string, file: string): XmlDocument {
  try {
    return XmlDocument.fromString(text, { option: ParseOption.XML_PARSE_NONET });
  } catch (e) {
    throw new ApiXmlError(file, problemsOf(e));
  }
}

const elements = (n: XNode, name?: string) =>
  n.childNodes().filter((c) => c.type() === 'element' && (name === undefined || c.name() === name));
const attr = (n: XNode, name: string) => n.attr(name)?.value() ?? null;
const req = (n: XNode, name: string) => attr(n, name) as string; // presence guaranteed by the schema
const docOf = (n: XNode) => (attr(n, 'doc') ?? elements(n, 'doc')[0]?.text() ?? '').replace(/\s+/g, ' ').trim();

let validator: RelaxNGValidator | null = null;

/** The schema of api.xml, compiled once per process. */
function schemaValidator(): RelaxNGValidator {
  if (validator) return validator;
  const schemaDoc = parse(readFileSync(SCHEMA, 'utf8'), SCHEMA);
  try {
    validator = RelaxNGValidator.fromDoc(schemaDoc);
  } finally {
    schemaDoc.dispose();
  }
  return validator;
}

/** Read, validate (schema, then meaning) and model api.xml. */
export function readApiXml(file: string, text = readFileSync(file, 'utf8')): ApiDef {
  let root: XmlElement;
  try {
    root = parseXmlDocument(text, file);
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    const line = Number(/^.*?:(\d+): /.exec(e.message)?.[1] ?? 0);
    throw new ApiXmlError(file, [{ line, message: e.message.replace(/^.*?:\d+: /, '').split('\n')[0] }]);
  }
  const doc = parse(text, file);
  try {
    schemaValidator().validate(doc);
  } catch (e) {
    throw new ApiXmlError(file, problemsOf(e));
  } finally {
    doc.dispose();
  }
  return modelOf(nodeOf(root), file);
}

function modelOf(root: XNode, file: string): ApiDef {
  const problems: { line: number; message: string }[] = [];
  const errorsEl = elements(root, 'errors')[0];
  const errors: ErrorsDef = {
    since: req(errorsEl, 'since'),
    levels: elements(errorsEl, 'level').map((n) => ({ name: req(n, 'name'), value: Number(req(n, 'value')) })),
    domains: elements(errorsEl, 'domain').map((n) => ({ name: req(n, 'name'), value: Number(req(n, 'value')), label: req(n, 'label') })),
    codes: elements(errorsEl, 'code').map((n) => ({
      name: req(n, 'name'), value: Number(req(n, 'value')), message: attr(n, 'message'), format: attr(n, 'format'),
    })),
  };
  const enums: EnumDef[] = elements(root, 'enum').map((n) => ({
    name: req(n, 'name'), c: attr(n, 'c'), prefix: req(n, 'prefix'), perl: attr(n, 'perl'),
    kind: attr(n, 'kind') === 'flags' ? 'flags' : 'enum', since: req(n, 'since'), doc: docOf(n), line: n.line(),
    values: elements(n, 'value').map((v) => ({
      name: req(v, 'name'), value: Number(req(v, 'value')), since: attr(v, 'since') ?? req(n, 'since'), doc: docOf(v),
    })),
  }));
  const structNodes = elements(root, 'struct');
  const objectNodes = elements(root, 'object');
  const kinds = new Map<string, TypeRef['kind']>();
  for (const p of PRIMITIVES) kinds.set(p, 'primitive');
  const declare = (name: string, kind: TypeRef['kind'], line: number) => {
    if (kinds.has(name)) problems.push({ line, message: `'${name}' is declared twice` });
    kinds.set(name, kind);
  };
  enums.forEach((e) => declare(e.name, 'enum', e.line));
  const eventNodes = elements(root, 'event');
  if (eventNodes.length) {
    kinds.set(EVENT_LISTENER, 'listener');
    kinds.set(EVENT_FILTER, 'filter');
  }
  structNodes.forEach((n) => declare(req(n, 'name'), 'struct', n.line()));
  const callbackNodes = elements(root, 'callback');
  callbackNodes.forEach((n) => declare(req(n, 'name'), 'callback', n.line()));
  objectNodes.forEach((n) => declare(req(n, 'name'), 'object', n.line()));

  const typeOf = (n: XNode): TypeRef => {
    const raw = req(n, 'type');
    const list = raw.endsWith('[]');
    const name = list ? raw.slice(0, -2) : raw;
    const kind = kinds.get(name);
    if (!kind) problems.push({ line: n.line(), message: `unknown type '${name}'` });
    return { name, list, kind: kind ?? 'primitive' };
  };

  const structs: StructDef[] = structNodes.map((n) => ({
    name: req(n, 'name'), c: attr(n, 'c'), since: req(n, 'since'), doc: docOf(n), line: n.line(),
    fields: elements(n, 'field').map((f) => ({ name: req(f, 'name'), type: typeOf(f), since: attr(f, 'since') ?? req(n, 'since'), doc: docOf(f) })),
  }));

  const events: EventDef[] = eventNodes.map((n) => ({
    name: req(n, 'name'), c: attr(n, 'c'), id: Number(req(n, 'id')), proc: Number(req(n, 'proc')), since: req(n, 'since'),
    doc: docOf(n), line: n.line(),
    fields: elements(n, 'field').map((f) => ({ name: req(f, 'name'), type: typeOf(f), since: attr(f, 'since') ?? req(n, 'since'), doc: docOf(f), optional: attr(f, 'optional') === 'true' })),
  }));
  const callbacks: CallbackDef[] = callbackNodes.map((n) => {
    const args = elements(n, 'arg').map((f) => ({ name: req(f, 'name'), type: typeOf(f), since: attr(f, 'since') ?? req(n, 'since'), doc: docOf(f) }));
    for (const a of args) {
      // the same function reaches the driver: its arguments must read the same on both sides
      if (a.type.kind !== 'primitive' && a.type.kind !== 'enum') problems.push({ line: n.line(), message: `callback ${req(n, 'name')}: argument ${a.name} must be a primitive or an enum` });
    }
    return { name: req(n, 'name'), c: attr(n, 'c'), since: req(n, 'since'), doc: docOf(n), line: n.line(), args };
  });
  const procs = new Map<number, string>();
  for (const e of events) {
    if (procs.has(e.proc)) problems.push({ line: e.line, message: `procedure ${e.proc} of event ${e.name} is already used by ${procs.get(e.proc)}` });
    procs.set(e.proc, `event ${e.name}`);
  }
  const objects: ObjectDef[] = objectNodes.map((n) => {
    const objName = req(n, 'name');
    const properties: PropertyDef[] = elements(n, 'property').map((p) => ({
      name: req(p, 'name'), type: typeOf(p), since: req(p, 'since'), doc: docOf(p),
      c: attr(p, 'c'), python: attr(p, 'python'), perl: attr(p, 'perl'), names: attr(p, 'names') ?? undefined,
    }));
    const methods: MethodDef[] = elements(n, 'method').map((m) => {
      const name = req(m, 'name');
      const procAttr = req(m, 'proc');
      const proc = procAttr === 'none' ? null : Number(procAttr);
      if (proc !== null) {
        const other = procs.get(proc);
        if (other) problems.push({ line: m.line(), message: `procedure ${proc} of ${objName}.${name} is already used by ${other}` });
        procs.set(proc, `${objName}.${name}`);
      }
      const args: ArgDef[] = elements(m, 'arg').map((a) => {
        const enumName = attr(a, 'enum');
        if (enumName && kinds.get(enumName) !== 'enum') problems.push({ line: a.line(), message: `unknown enum '${enumName}'` });
        const type = typeOf(a);
        if (type.name === 'stream') problems.push({ line: a.line(), message: `${objName}.${name}: a stream is only returned, never passed` });
        const writeFlags = (attr(a, 'write-flags') ?? '').split(/\s+/).filter(Boolean).map((flag) => {
          const value = enums.find((e) => e.name === enumName)?.values.find((v) => v.name === flag)?.value;
          if (type.name !== 'flags' || value === undefined) {
            problems.push({ line: a.line(), message: `${objName}.${name}: write-flags names '${flag}', which is not a value of the argument's flags enum` });
          }
          return { name: flag, value: value ?? 0 };
        });
        const check = (attr(a, 'check') ?? undefined) as ArgCheck | undefined;
        if (check && ((check === 'nonempty') !== (type.name === 'string') || (check === 'nonnull') !== (type.name === 'bytes'))) {
          problems.push({ line: a.line(), message: `${objName}.${name}: check '${check}' does not fit a ${type.name} argument` });
        }
        return { name: req(a, 'name'), type, enumName, optional: attr(a, 'optional') === 'true', doc: docOf(a), writeFlags, check, c: attr(a, 'c') ?? undefined };
      });
      const iterator = attr(m, 'iterator');
      if (iterator !== null && !args.some((a) => a.type.kind === 'listener')) {
        problems.push({ line: m.line(), message: `${objName}.${name}: iterator="${iterator}" needs an event listener argument` });
      }
      const promise = attr(m, 'promise');
      if (promise !== null && !args.some((a) => a.type.kind === 'callback')) {
        problems.push({ line: m.line(), message: `${objName}.${name}: promise="${promise}" needs a callback argument` });
      }
      const firstOptional = args.findIndex((a) => a.optional);
      if (firstOptional >= 0 && args.slice(firstOptional).some((a) => !a.optional)) {
        problems.push({ line: m.line(), message: `${objName}.${name}: a required argument follows an optional one` });
      }
      return {
        name, object: objName, driverName: objName[0].toLowerCase() + objName.slice(1) + name[0].toUpperCase() + name.slice(1),
        proc, access: req(m, 'access') as MethodDef['access'], since: req(m, 'since'), doc: docOf(m), args,
        returns: typeOf(elements(m, 'return')[0]), iterator, promise, abortable: ['true', 'job'].includes(attr(m, 'abortable') ?? ''), abortsJob: attr(m, 'abortable') === 'job', line: m.line(),
        c: attr(m, 'c'), python: attr(m, 'python'), perl: attr(m, 'perl'),
      };
    });
    const seen = new Set<string>();
    for (const m of methods) {
      if (seen.has(m.name)) problems.push({ line: m.line, message: `${objName}.${m.name} is declared twice` });
      seen.add(m.name);
    }
    for (const m of methods) {
      if (m.iterator !== null && seen.has(m.iterator)) problems.push({ line: m.line, message: `${objName}.${m.iterator}: the iterator of ${m.name} has the name of a method` });
      if (m.promise !== null && seen.has(m.promise)) problems.push({ line: m.line, message: `${objName}.${m.promise}: the promise of ${m.name} has the name of a method` });
    }
    return { name: objName, doc: docOf(n), properties, methods, line: n.line(), c: attr(n, 'c'), python: attr(n, 'python'), perl: attr(n, 'perl') };
  });

  for (const e of enums) {
    const names = new Set<string>();
    for (const v of e.values) {
      if (names.has(v.name)) problems.push({ line: e.line, message: `${e.name}.${v.name} is declared twice` });
      names.add(v.name);
    }
  }
  const wireEl = elements(root, 'wire')[0];
  const wire = wireEl ? elements(wireEl, 'program').map((p) => wireProgramOf(p, problems)) : [];
  if (problems.length) throw new ApiXmlError(file, problems);
  return { name: req(root, 'name'), version: req(root, 'version'), libvirt: req(root, 'libvirt'), errors, enums, structs, objects, events, callbacks, wire };
}

const XDR_BASES = new Set(['int', 'uint', 'hyper', 'uhyper', 'bool', 'float', 'double', 'char', 'uchar', 'short', 'ushort', 'string', 'opaque', 'void']);

const declOf = (n: XNode): XdrDeclDef => ({
  name: req(n, 'name'), type: req(n, 'type'), max: attr(n, 'max'), size: attr(n, 'size'), optional: attr(n, 'optional') === 'true',
});

/** One wire program; every type a declaration names is declared before it, and every size names a const. */
function wireProgramOf(p: XNode, problems: { line: number; message: string }[]): WireProgramDef {
  const consts = elements(p, 'const').map((c) => ({ name: req(c, 'name'), value: req(c, 'value') }));
  const constNames = new Set(consts.map((c) => c.name));
  const known = new Set(XDR_BASES);
  const check = (d: XdrDeclDef, line: number) => {
    if (!known.has(d.type)) problems.push({ line, message: `XDR type '${d.type}' of '${d.name}' is not declared before it` });
    for (const bound of [d.max, d.size]) {
      if (bound !== null && bound !== 'unbounded' && !/^\d+$/.test(bound) && !constNames.has(bound)) problems.push({ line, message: `'${bound}' is not a const of this program` });
    }
  };
  const types: XdrTypeDef[] = [];
  for (const n of elements(p).filter((e) => ['typedef', 'xdr-struct', 'xdr-union'].includes(e.name()))) {
    const line = n.line();
    if (n.name() === 'typedef') {
      const decl = declOf(n);
      check(decl, line);
      types.push({ kind: 'typedef', decl, line });
    } else if (n.name() === 'xdr-struct') {
      const members = elements(n, 'member').map((m) => ({
        ...declOf(m), send: attr(m, 'send'), countOf: attr(m, 'count-of'), carries: attr(m, 'carries') as XdrMemberDef['carries'],
        field: attr(m, 'field'), index: attr(m, 'index'), bits: attr(m, 'bits'),
      }));
      members.forEach((m) => check(m, line));
      for (const m of members) {
        if (m.countOf !== null && !members.some((o) => o.name === m.countOf)) problems.push({ line, message: `count-of names '${m.countOf}', not a member of ${req(n, 'name')}` });
      }
      types.push({ kind: 'struct', name: req(n, 'name'), members, line });
    } else {
      const arms = elements(n, 'arm').map((a) => ({ when: Number(req(a, 'when')), decl: declOf(a) }));
      arms.forEach((a) => check(a.decl, line));
      types.push({ kind: 'union', name: req(n, 'name'), discriminant: req(n, 'discriminant'), arms, line });
    }
    const name = types.at(-1)!.kind === 'typedef' ? (types.at(-1) as { decl: XdrDeclDef }).decl.name : (types.at(-1) as { name: string }).name;
    if (known.has(name)) problems.push({ line, message: `XDR type '${name}' is declared twice` });
    known.add(name);
  }
  const numbers = new Set<number>();
  const procedures = elements(p, 'procedure').map((n) => {
    const number = Number(req(n, 'number'));
    if (numbers.has(number)) problems.push({ line: n.line(), message: `procedure number ${number} is declared twice` });
    numbers.add(number);
    for (const t of [attr(n, 'args'), attr(n, 'ret')]) {
      if (t !== null && !known.has(t)) problems.push({ line: n.line(), message: `XDR type '${t}' is not declared` });
    }
    const event = attr(n, 'event');
    const unmapped = attr(n, 'unmapped');
    const served: WireProcedureDef['served'] = attr(n, 'served') === 'session' ? 'session' : event !== null ? 'event' : unmapped !== null ? 'unmapped' : 'api';
    return { name: req(n, 'name'), number, args: attr(n, 'args'), ret: attr(n, 'ret'), served, method: attr(n, 'method'), event, unmapped, line: n.line() };
  });
  return {
    name: req(p, 'name'), number: Number(req(p, 'number')), version: Number(req(p, 'version')), since: req(p, 'since'),
    doc: docOf(p), consts, types, procedures, line: p.line(),
    typedParams: elements(p, 'typed-param').map((n) => ({ field: req(n, 'field'), type: req(n, 'type') })),
  };
}
