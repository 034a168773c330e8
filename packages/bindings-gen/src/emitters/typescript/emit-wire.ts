import { VariableDeclarationKind } from 'ts-morph';
import type { ApiDef, MethodDef, TypeRef, WireProgramDef, XdrDeclDef, XdrMemberDef, XdrTypeDef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { finish, newSource } from './ts-source.js';

// A wire program's XDR types become constants of core's XdrType; each procedure served by
// an API call gets the correspondence of its members to the call's arguments and value
// (core's WireShape), worked out here from both sides' types, so that nothing is written
// per call. A procedure whose sides do not fit is a generator error with its line.

const NUMERIC = new Set(['int', 'uint', 'hyper', 'uhyper', 'bool', 'float', 'double', 'char', 'uchar', 'short', 'ushort', 'void']);

/** libvirt's virTypedParameterType by api.xml's names. */
const TYPED_PARAM_TYPE: Record<string, number> = { int: 1, uint: 2, llong: 3, ullong: 4, double: 5, boolean: 6, string: 7 };

/** A mismatch between api.xml's method and the wire's structures. */
export class WireMappingError extends Error {}

type Shape = Record<string, unknown>;

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

class ProgramTables {
  readonly #types = new Map<string, XdrTypeDef>();
  readonly #consts: Map<string, string>;

  constructor(readonly program: WireProgramDef, readonly api: ApiDef) {
    for (const t of program.types) this.#types.set(t.kind === 'typedef' ? t.decl.name : t.name, t);
    this.#consts = new Map(program.consts.map((c) => [c.name, c.value]));
  }

  constValue(v: string): number {
    if (v === 'unbounded') return 0xffffffff;
    if (/^\d+$/.test(v)) return Number(v);
    return this.constValue(this.#consts.get(v)!);
  }

  bound = (v: string) => (v === 'unbounded' ? '0xffffffff' : v);

  /** The TypeScript expression of a declaration's XDR type. */
  declExpr(d: XdrDeclDef): string {
    let base: string;
    if (d.type === 'string') base = `{ kind: 'string', max: ${this.bound(d.max ?? 'unbounded')} }`;
    else if (d.type === 'opaque') base = d.size !== null ? `{ kind: 'fixed-opaque', size: ${d.size} }` : `{ kind: 'opaque', max: ${this.bound(d.max ?? 'unbounded')} }`;
    else {
      const item = NUMERIC.has(d.type) ? `{ kind: '${d.type}' }` : d.type;
      base = d.size !== null ? `{ kind: 'fixed-array', of: ${item}, size: ${d.size} }` : d.max !== null ? `{ kind: 'array', of: ${item}, max: ${this.bound(d.max)} }` : item;
    }
    return d.optional ? `{ kind: 'optional', of: ${base} }` : base;
  }

  typeExpr(t: XdrTypeDef): string {
    if (t.kind === 'typedef') return this.declExpr(t.decl);
    if (t.kind === 'struct') return `{ kind: 'struct', name: '${t.name}', fields: [${t.members.map((m) => `{ name: '${m.name}', type: ${this.declExpr(m)} }`).join(', ')}] }`;
    return `{ kind: 'union', name: '${t.name}', discriminant: '${t.discriminant}', arms: [${t.arms.map((a) => `{ when: ${a.when}, name: '${a.decl.name}', type: ${this.declExpr(a.decl)} }`).join(', ')}] }`;
  }

  /** A declaration with its typedefs followed: optional, array, the base it ends at. */
  resolve(d: XdrDeclDef): { optional: boolean; array: boolean; base: string; def: XdrTypeDef | null; decl: XdrDeclDef } {
    if (d.optional) return { ...this.resolve({ ...d, optional: false }), optional: true };
    const isArray = (d.max !== null || d.size !== null) && d.type !== 'string' && d.type !== 'opaque';
    if (isArray) return { optional: false, array: true, base: d.type, def: this.#types.get(d.type) ?? null, decl: d };
    const def = this.#types.get(d.type) ?? null;
    if (def?.kind === 'typedef') return this.resolve({ ...def.decl, name: d.name });
    return { optional: false, array: false, base: d.type, def, decl: d };
  }

  struct(name: string | null): XdrMemberDef[] {
    if (name === null) return [];
    const t = this.#types.get(name);
    if (t?.kind !== 'struct') throw new WireMappingError(`'${name}' is not an XDR struct`);
    return t.members;
  }

  /** How a value of the API type `t` corresponds to the declaration `d`. */
  shape(t: TypeRef, d: XdrDeclDef, where: string): Shape {
    const r = this.resolve(d);
    if (r.optional) return { k: 'optional', of: this.shape(t, { ...d, optional: false, type: r.decl.type, max: r.decl.max, size: r.decl.size }, where) };
    if (t.list) {
      if (t.name === 'uint' && r.base === 'opaque') return { k: 'bitmap' };
      if (!r.array) throw new WireMappingError(`${where}: the API's list ${t.name}[] meets '${d.type}', not an array`);
      return { k: 'list', of: this.shape({ ...t, list: false }, { name: d.name, type: r.base, max: null, size: null, optional: false }, where) };
    }
    if (r.array && r.base === 'char' && t.name === 'string') return r.decl.size === null ? { k: 'chars' } : { k: 'chars', size: this.constValue(r.decl.size) };
    if (t.name === 'params') {
      if (r.array && r.base === 'remote_typed_param') return { k: 'params' };
      if (r.array && r.base.endsWith('_stats')) return { k: 'stats' };
      throw new WireMappingError(`${where}: typed parameters meet '${d.type}'`);
    }
    if (r.array) throw new WireMappingError(`${where}: '${t.name}' meets an array of ${r.base}`);
    if (t.name === 'boolean' && r.base === 'int') return { k: 'bool' };
    // an object the API names by its UUID alone, the wire whole
    if (t.name === 'uuid' && r.def?.kind === 'struct') {
      const object = Object.keys(REF_FIELDS).find((o) => r.base === `remote_nonnull_${o.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`);
      if (!object) throw new WireMappingError(`${where}: a UUID meets ${r.base}, which names no object`);
      return { k: 'byUuid', of: this.refShape(object, r.base, where) };
    }
    if (t.name === 'uuid') return { k: 'uuid' };
    if (t.name === 'bytes') {
      if (r.base !== 'opaque') throw new WireMappingError(`${where}: bytes meet XDR ${r.base}, not opaque`);
      return { k: 'plain' };
    }
    if (t.kind === 'object') return this.refShape(t.name, r.base, where);
    if (t.kind === 'struct') return this.recordShape(this.api.structs.find((s) => s.name === t.name)!.fields.map((f) => ({ name: f.name, type: f.type })), this.struct(r.base), where);
    if (r.def !== null) throw new WireMappingError(`${where}: '${t.name}' meets the structure ${r.base}`);
    // text meets text and numbers meet numbers: a member in the wrong place is caught here
    const text = t.name === 'string';
    if (text !== (r.base === 'string') || (!text && !NUMERIC.has(r.base))) throw new WireMappingError(`${where}: '${t.name}' meets XDR ${r.base}`);
    return { k: 'plain' };
  }

  /** An object reference and libvirt's remote_nonnull_* structure, field by field; a node device travels as its name. */
  refShape(object: string, base: string, where: string): Shape {
    const fields = REF_FIELDS[object];
    if (!fields) throw new WireMappingError(`${where}: no reference fields known for ${object}`);
    if (base === 'string') return { k: 'wrap', field: fields[0], of: { k: 'plain' } };
    const members = this.struct(base);
    return {
      k: 'record',
      fields: fields.map((f) => {
        const m = members.find((x) => x.name === f || (f === 'domain' && x.name === 'dom'));
        if (!m) return { api: f, member: null, shape: { k: 'plain' }, fill: '' };
        if (f === 'domain') return { api: f, member: m.name, shape: { k: 'nameOf', type: `@@${m.type}` } };
        return { api: f, member: m.name, shape: f === 'uuid' ? { k: 'uuid' } : { k: 'plain' } };
      }),
    };
  }

  /** An API structure and an XDR one, by name (libvirt's snake_case is the API's camelCase): every member must find its field. */
  recordShape(fields: { name: string; type: TypeRef }[], members: XdrMemberDef[], where: string): Shape {
    const out = members.filter((m) => m.countOf === null).map((m) => {
      const f = fields.find((x) => (m.field !== null ? x.name === m.field : x.name === m.name || x.name === camel(m.name)));
      if (!f) throw new WireMappingError(`${where}: member '${m.name}' has no field of the API's structure (${fields.map((x) => x.name).join(', ')})`);
      const shape = this.shape(f.type, m, `${where}.${m.name}`);
      if (m.bits === null) return { api: f.name, member: m.name, shape };
      if (shape.k !== 'bitmap' || !fields.some((x) => x.name === m.bits)) throw new WireMappingError(`${where}.${m.name}: bits="${m.bits}" needs a CPU map and a field of that name`);
      return { api: f.name, member: m.name, shape: { k: 'bitmap', bits: m.bits } };
    });
    return { k: 'record', fields: out };
  }
}

/** What identifies each object on the wire, in its reference's order (core's REF_FIELDS). */
const REF_FIELDS: Record<string, string[]> = {
  Domain: ['name', 'uuid', 'id'], DomainSnapshot: ['name', 'domain'], Network: ['name', 'uuid'], StoragePool: ['name', 'uuid'],
  StorageVol: ['name', 'key', 'path', 'pool'], Interface: ['name', 'mac'], NodeDevice: ['name'],
  Secret: ['uuid', 'usageType', 'usageID'],
};

/** The API method a procedure serves: the one with its number, or the one it names. */
function methodOf(api: ApiDef, p: WireProgramDef['procedures'][number]): { object: string; method: MethodDef } | null {
  const [objectName, methodName] = p.method?.split('.') ?? [];
  for (const o of api.objects) {
    const m = o.methods.find((x) => (p.method === null ? x.proc === p.number : o.name === objectName && x.name === methodName));
    if (m) return { object: o.name, method: m };
  }
  return null;
}

/** The correspondence of a procedure's members and its API call, as source text. */
function mappingOf(tables: ProgramTables, api: ApiDef, p: WireProgramDef['procedures'][number]): string {
  const found = methodOf(api, p);
  if (!found) throw new WireMappingError(`procedure ${p.name} (${p.number}) has no API method ${p.method ?? `with proc="${p.number}"`}`);
  if (found.method.proc === null) throw new WireMappingError(`procedure ${p.name} names ${p.method}, which is answered locally (proc="none")`);
  const { object, method } = found;
  const where = `${object}.${method.name} (${p.name})`;
  const apiArgs: { name: string; type: TypeRef; optional: boolean }[] = [
    ...(object === 'Connect' ? [] : [{ name: object, type: { name: object, list: false, kind: 'object' as const }, optional: false }]),
    ...method.args.filter((a) => a.type.kind !== 'listener'),
  ];
  let next = 0;
  const argMap = tables.struct(p.args).map((m) => {
    if (m.send !== null) return { member: m.name, arg: null, send: tables.constValue(m.send), shape: { k: 'plain' } };
    if (m.carries === 'narrow') return { member: m.name, arg: null, carries: m.carries, shape: tables.shape({ name: 'Domain', list: true, kind: 'object' }, m, `${where} ${m.name}`) };
    if (m.carries !== null) return { member: m.name, arg: null, carries: m.carries, shape: { k: 'plain' } };
    const a = apiArgs[next];
    if (!a) throw new WireMappingError(`${where}: member '${m.name}' has no API argument left`);
    return { member: m.name, arg: next++, shape: tables.shape(a.type, m, `${where} ${m.name}`) };
  });
  const missing = apiArgs.slice(next).filter((a) => !a.optional);
  if (missing.length) throw new WireMappingError(`${where}: required arguments ${missing.map((a) => a.name).join(', ')} are not on the wire`);
  const ret = tables.struct(p.ret);
  const r = method.returns;
  let reply: unknown;
  if (r.name === 'stream') {
    if (ret.length) throw new WireMappingError(`${where}: a stream's call has no reply members`);
    reply = { kind: 'stream' };
  } else if (r.name === 'void') {
    const selfBase = object === 'Connect' ? null : tables.resolve(tables.struct(p.args)[0]).base;
    const self = ret.length === 1 && tables.resolve(ret[0]).base === selfBase;
    reply = ret.length === 0 ? { kind: 'none' } : self ? { kind: 'self', member: ret[0].name } : { kind: 'zero' };
  } else if (ret.some((m) => m.carries === 'maps')) {
    reply = mapsReplyOf(tables, api, method, p, ret, where);
  } else {
    const values = ret.filter((m) => m.countOf === null);
    const counts = ret.filter((m) => m.countOf !== null).map((m) => [m.name, ret.find((x) => x.name === m.countOf)!.field ?? m.countOf]);
    if (values.length === 1 && !(r.kind === 'struct' && !r.list && tables.resolve(values[0]).def?.kind !== 'struct')) {
      reply = { kind: 'value', member: values[0].name, shape: tables.shape(r, values[0], `${where} reply`), counts };
    } else if (r.kind === 'struct' && !r.list) {
      const fields = api.structs.find((s) => s.name === r.name)!.fields.map((f) => ({ name: f.name, type: f.type }));
      reply = { kind: 'record', shape: tables.recordShape(fields, ret, `${where} reply`), counts };
    } else {
      throw new WireMappingError(`${where}: ${values.length} reply members for a ${r.name}${r.list ? '[]' : ''}`);
    }
  }
  return `served: 'api', call: '${method.driverName}', apiProc: ${method.proc}, argMap: ${lit(argMap)}, reply: ${lit(reply)}`;
}

/** A reply whose CPU lists travel as CPU maps end to end (WireMapsReply): the call's members that size them, the items' fields. */
function mapsReplyOf(tables: ProgramTables, api: ApiDef, method: MethodDef, p: WireProgramDef['procedures'][number], ret: XdrMemberDef[], where: string): unknown {
  const maps = ret.find((m) => m.carries === 'maps')!;
  const call = tables.struct(p.args);
  const mapLength = call.find((m) => m.carries === 'map-length');
  if (!mapLength) throw new WireMappingError(`${where}: CPU maps in the reply need a call member with carries="map-length"`);
  const r = method.returns;
  const struct = r.kind === 'struct' ? api.structs.find((s) => s.name === r.name)! : null;
  if (maps.field === null ? !(r.name === 'uint' && r.list) : !(struct && r.list)) {
    throw new WireMappingError(`${where}: CPU maps meet a ${r.name}${r.list ? '[]' : ''} (a CPU list, or a list of structures with field="...")`);
  }
  for (const f of [maps.field, maps.index]) {
    if (f !== null && !struct!.fields.some((x) => x.name === f)) throw new WireMappingError(`${where}: ${r.name} has no field '${f}'`);
  }
  const others = ret.filter((m) => m !== maps && m.countOf === null);
  if (others.length > 1) throw new WireMappingError(`${where}: ${others.length} reply members beside the CPU maps`);
  const info = others.length === 0 ? null : { member: others[0].name, shape: tables.shape(r, others[0], `${where} reply`) };
  return {
    kind: 'maps', maps: maps.name, field: maps.field, index: maps.index, info, mapLength: mapLength.name,
    maxItems: call.find((m) => m.carries === 'max-items')?.name ?? null, counts: ret.filter((m) => m.countOf !== null).map((m) => m.name),
  };
}

/**
 * An event's message: the domain and the event's fields by name. libvirt has three forms:
 * the legacy message; the callback form, which wraps it (`callbackID`, sometimes more
 * members such as `reason`, then `msg`); and the newer flat form (`callbackID`, `dom`, ...).
 */
function eventMappingOf(tables: ProgramTables, api: ApiDef, p: WireProgramDef['procedures'][number]): string {
  const event = api.events.find((e) => e.name === p.event);
  if (!event) throw new WireMappingError(`api.xml:${p.line}: procedure ${p.name} carries the unknown event '${p.event}'`);
  const outer = tables.struct(p.args);
  const callback = outer.some((m) => m.name === 'callbackID');
  const nested = outer.find((m) => m.name === 'msg');
  const members = nested ? tables.struct(nested.type) : outer.filter((m) => m.name !== 'callbackID');
  const fields = [{ name: 'domain', type: { name: 'Domain', list: false, kind: 'object' as const } }, ...event.fields];
  const shapeOf = (ms: XdrMemberDef[], where: string) => {
    const shape = tables.recordShape(fields, ms.map((m) => (m.name === 'dom' ? { ...m, name: 'domain' } : m)), where) as { fields: { member: string }[] };
    for (const f of shape.fields) if (f.member === 'domain') f.member = 'dom';
    return shape;
  };
  const wrapping = nested ? outer.filter((m) => m.name !== 'callbackID' && m.name !== 'msg') : [];
  const outerShape = wrapping.length ? `, outer: ${lit(shapeOf(wrapping, `event ${p.name} (outer)`))}` : '';
  return `served: 'event', event: '${p.event}', callback: ${callback}, flat: ${callback && !nested}, message: ${lit(shapeOf(members, `event ${p.name}`))}${outerShape}`;
}

/** A value as TypeScript source: strings single-quoted (an apostrophe in one escaped), `@@name` a reference to a constant. */
function literalText(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"@@(\w+)"/g, '$1').replace(/"(\w+)":/g, '$1: ')
    .replace(/"((?:[^"\\]|\\.)*)"/g, (_, body: string) => `'${body.replace(/\\"/g, '"').replace(/'/g, "\\'")}'`);
}
const lit = literalText;

/** `<name>-program.gen.ts`: one of libvirt's programs, its XDR types and its procedures. */
export function emitWireProgram(api: ApiDef, program: WireProgramDef, dir: string): GeneratedFile {
  const tables = new ProgramTables(program, api);
  const prefix = program.name;
  const f = newSource(`${prefix.toLowerCase()}-program.gen.ts`);
  f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../rpc/xdr/xdr-types.js', namedImports: ['XdrType'] });
  f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../rpc/wire-procedure.js', namedImports: ['WireProcedure'] });
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: [`libvirt's ${prefix} program: ${program.doc}`],
    declarations: [{ name: `${prefix}_PROGRAM`, initializer: `{ number: 0x${program.number.toString(16).padStart(8, '0')}, version: ${program.version} } as const` }],
  });
  for (const c of program.consts) {
    f.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: c.name, initializer: c.value }] });
  }
  for (const t of program.types) {
    const name = t.kind === 'typedef' ? t.decl.name : t.name;
    f.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name, type: 'XdrType', initializer: tables.typeExpr(t) }] });
  }
  if (program.typedParams.length) {
    f.addVariableStatement({
      isExported: true, declarationKind: VariableDeclarationKind.Const,
      docs: ["libvirt's typed parameters by name (`*` for a number in it) and the type libvirt gives each (virTypedParameterType)."],
      declarations: [{
        name: `${prefix.toLowerCase()}TypedParamTypes`, type: 'ReadonlyMap<string, number>',
        initializer: `new Map([\n${program.typedParams.map((p) => `  ['${p.field}', ${TYPED_PARAM_TYPE[p.type]}],`).join('\n')}\n])`,
      }],
    });
  }
  const procConst = `${prefix[0]}${prefix.slice(1).toLowerCase()}Procedure`;
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const, docs: [`The ${prefix} program's procedure numbers, by libvirt's names.`],
    declarations: [{ name: procConst, initializer: `{\n${program.procedures.map((p) => `  ${p.name}: ${p.number},`).join('\n')}\n} as const` }],
  });
  f.addTypeAlias({ isExported: true, name: procConst, type: `(typeof ${procConst})[keyof typeof ${procConst}]` });
  const rows = program.procedures.map((p) => {
    const head = `number: ${p.number}, name: '${p.name}', args: ${p.args ?? 'null'}, ret: ${p.ret ?? 'null'}`;
    let tail: string;
    if (p.served === 'api') {
      try {
        tail = mappingOf(tables, api, p);
      } catch (e) {
        if (e instanceof WireMappingError) throw new WireMappingError(`api.xml:${p.line}: ${e.message}`);
        throw e;
      }
    } else if (p.served === 'event') tail = eventMappingOf(tables, api, p);
    else if (p.served === 'unmapped') tail = `served: 'unmapped', why: ${lit(p.unmapped)}`;
    else tail = `served: 'session'`;
    return `  { ${head}, ${tail} },`;
  });
  const listName = `${prefix.toLowerCase()}Procedures`;
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: listName, type: 'readonly WireProcedure[]', initializer: `[\n${rows.join('\n')}\n]` }],
  });
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: `${listName.replace(/s$/, '')}ByNumber`, type: 'ReadonlyMap<number, WireProcedure>', initializer: `new Map(${listName}.map((p) => [p.number, p]))` }],
  });
  return finish(f, `${dir}/${prefix.toLowerCase()}-program.gen.ts`);
}
