import { Scope } from 'ts-morph';
import type { ApiDef, ArgCheck, ArgDef, MethodDef, ObjectDef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { iteratorSignature, promiseSignature, publicSignature } from './emit-api.js';
import { errorDomainOf, finish, importStreamType, newSource, tsType } from './ts-source.js';

/** The condition under which libvirt's API refuses an argument that breaks its rule. */
const CHECKS: Record<ArgCheck, (v: string) => string> = {
  nonempty: (v) => `${v} === ''`,
  nonnull: (v) => `${v}.byteLength === 0`,
  nonnegative: (v) => `${v} < 0`,
  positive: (v) => `${v} <= 0`,
};

/** The check of one argument, as a condition that is true when the argument is bad. */
function badArg(a: ArgDef): [string, string] {
  const v = a.name;
  const t = a.type;
  if (t.list || t.kind === 'struct') return [`typeof ${v} !== 'object' || ${v} === null`, 'an object'];
  if (t.kind === 'object') return [`!(${v} instanceof ${t.name}Entry)`, `a ${t.name}`];
  if (t.kind === 'listener' || t.kind === 'callback') return [`typeof ${v} !== 'function'`, 'a function'];
  if (t.kind === 'filter') return [`typeof ${v} !== 'object' || ${v} === null`, 'an object'];
  if (t.name === 'params') return [`typeof ${v} !== 'object' || ${v} === null`, 'an object'];
  switch (t.name) {
    case 'string': case 'uuid': return [`typeof ${v} !== 'string'`, 'a string'];
    case 'boolean': return [`typeof ${v} !== 'boolean'`, 'a boolean'];
    case 'bytes': return [`!(${v} instanceof Uint8Array)`, 'a Uint8Array'];
    case 'flags': return [`!isFlags(${v})`, 'an unsigned 32-bit integer'];
    case 'uint': case 'ulong': return [`!Number.isSafeInteger(${v}) || ${v} < 0`, 'a non-negative integer'];
    default: return [`!Number.isSafeInteger(${v})`, 'an integer'];
  }
}

function methodBody(api: ApiDef, o: ObjectDef, m: MethodDef): string[] {
  const fn = m.c ?? `${o.name}.${m.name}`;
  const dom = `ErrorDomain.${errorDomainOf(m.c)}`;
  const isConnect = o.name === 'Connect';
  const conn = isConnect ? 'this' : 'this.connection';
  const lines = [`const conn = ${conn};`, `if (conn.closed) throw invalidConnection('${fn}');`];
  if (m.access === 'write') lines.push(`if (conn.readOnly) throw deniedOnReadOnly('${fn}', ${dom});`);
  for (const a of m.args) {
    const [bad, expected] = badArg(a);
    const cond = a.optional ? `${a.name} !== undefined && (${bad})` : bad;
    lines.push(`if (${cond}) throw invalidArgument('${a.name}', '${fn}', '${expected}', ${dom});`);
    if (a.check) lines.push(`if (${CHECKS[a.check](a.name)}) throw argumentRefused('${a.check}', '${a.c ?? a.name}', '${fn}', ${dom});`);
  }
  // After the type checks, so that a UUID is only parsed, and a flag only tested, when it has the right type.
  for (const a of m.args) {
    if (a.type.name === 'uuid' && !a.type.list) lines.push(`if (${a.optional ? `${a.name} !== undefined && ` : ''}!isUuidText(${a.name})) throw invalidUuid('${fn}', ${dom});`);
  }
  for (const a of m.args) for (const flag of a.writeFlags) {
    const label = flag.name.toLowerCase().replace(/_/g, ' ');
    lines.push(`if (conn.readOnly && ${a.name} !== undefined && (${a.name} & ${flag.value}) !== 0) throw deniedFlagOnReadOnly('${fn}', '${label}', ${dom});`);
  }
  const argValue = (a: ArgDef) => {
    if (a.type.kind === 'object') return `${a.name}.ref`;
    if (a.type.kind === 'listener') return `(e: DomainEventData) => ${a.name}(publicEvent(conn, e))`;
    if (a.type.kind === 'filter') return `${a.name} && eventFilterData(conn, ${a.name}, '${fn}', ${dom})`;
    return a.optional && a.type.name === 'flags' ? `${a.name} ?? 0` : a.name;
  };
  const callArgs = [...(isConnect ? [] : ['this.ref']), ...m.args.map(argValue)];
  let call = `await conn.driver.${m.driverName}(${callArgs.join(', ')})`;
  if (m.abortable) {
    // checked like an argument; an aborted signal: nothing is sent
    lines.push(`const signal = callSignal(options, '${fn}', ${dom});`);
    // abortable="job": giving up also stops the domain's job, so that it ends as if never begun
    const cancel = m.abortsJob ? ', () => conn.driver.domainAbortJob?.(this.ref)' : '';
    call = `await withSignal(conn.driver.${m.driverName}(${callArgs.join(', ')}), signal, '${fn}', ${dom}${cancel})`;
  }
  const closing = isConnect && m.name === 'close';
  if (closing) {
    lines.push('conn.closed = true;');
    lines.push(`if (conn.driver.${m.driverName} === undefined) return;`);
  } else {
    lines.push(`if (conn.driver.${m.driverName} === undefined) throw unsupported('${fn}', ${dom});`);
  }
  let ret: string;
  const r = m.returns;
  if (r.kind === 'object') {
    ret = r.list ? `return (${call}).map((ref) => new ${r.name}Entry(conn, ref));` : `return new ${r.name}Entry(conn, ${call});`;
  } else if (r.name === 'void' && !r.list) {
    ret = `${call};`;
  } else {
    ret = `return ${call};`;
  }
  lines.push('try {', `  ${ret}`, '} catch (e) {', `  throw toVirError(e, ${dom});`, '}');
  return lines;
}

/** The call that undoes a registration: libvirt names it the same with Deregister (or Unregister) for Register. */
function deregistrationOf(o: ObjectDef, m: MethodDef): MethodDef {
  const names = ['Deregister', 'Unregister'].map((undo) => m.c?.replace('Register', undo));
  const found = o.methods.find((d) => names.includes(d.c ?? undefined));
  if (!found) throw new Error(`${o.name}.${m.name} has no ${names.join(' or ')} to undo it`);
  return found;
}

/** libvirt's error for a bad pointer to an object (VIR_ERR_INVALID_DOMAIN, ...), else INVALID_ARG. */
function invalidObjectCode(api: ApiDef, object: string): string {
  const code = `INVALID_${object.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  return api.errors.codes.some((c) => c.name === code) ? code : 'INVALID_ARG';
}

/**
 * entryFromWire: a reference as a client sent it over the wire, checked field by field
 * against the object's properties, as the public object whose methods check the rest.
 */
function wireEntryStatements(api: ApiDef): string[] {
  const lines = ['const r = (typeof value === \'object\' && value !== null ? value : {}) as Record<string, unknown>;', 'switch (object) {'];
  for (const o of api.objects) {
    if (o.name === 'Connect') continue;
    const bad = o.properties.map((p) => badArg({ name: `r.${p.name}`, type: p.type, enumName: null, optional: false, doc: '', writeFlags: [] })[0]);
    const fields = o.properties.map((p) => `${p.name}: r.${p.name} as ${tsType(p.type, 'ref')}`).join(', ');
    lines.push(
      `  case '${o.name}':`,
      `    if (${bad.map((b) => `(${b})`).join(' || ')}) throw VirError.of(ErrorNumber.${invalidObjectCode(api, o.name)}, ErrorDomain.${errorDomainOf(o.c)}, fn);`,
      `    return new ${o.name}Entry(conn, { ${fields} });`,
    );
  }
  lines.push('  default: // Connect', '    return conn;', '}');
  return lines;
}

/** entry.gen.ts: the public classes: check the connection, access and arguments, then call the driver. */
export function emitEntry(api: ApiDef, path: string): GeneratedFile {
  const f = newSource('entry.gen.ts');
  importStreamType(f, api);
  const types = new Set<string>(api.objects.map((o) => o.name));
  for (const o of api.objects) for (const m of o.methods) for (const t of [m.returns, ...m.args.map((a) => a.type)]) {
    if (t.kind === 'struct' || t.kind === 'enum' || t.kind === 'callback') types.add(t.name);
    if (t.name === 'params') types.add('TypedParams');
    if (t.kind === 'listener') types.add('DomainEventListener');
    if (t.kind === 'filter') types.add('DomainEventFilter');
  }
  for (const o of api.objects) for (const m of o.methods) for (const a of m.args) if (a.type.name === 'flags' && a.enumName) types.add(a.enumName);
  const events = api.events.length > 0;
  const iterators = api.objects.some((o) => o.methods.some((m) => m.iterator !== null));
  if (events) types.add('DomainEvent');
  if (iterators) {
    types.add('DomainEventsOptions');
    types.add('DomainEventKind');
  }
  const promises = api.objects.some((o) => o.methods.some((m) => m.promise !== null));
  const abortables = api.objects.some((o) => o.methods.some((m) => m.abortable));
  if (promises || abortables) types.add('CallOptions');
  // what a promise form resolves with: its callback's argument
  for (const c of api.callbacks) for (const a of c.args) if (a.type.kind === 'enum') types.add(a.type.name);
  f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './api.gen.js', namedImports: [...types].sort() });
  f.addImportDeclaration({
    isTypeOnly: true, moduleSpecifier: './driver.gen.js',
    namedImports: ['ConnectDriver', ...(events ? ['DomainEventData'] : []), ...api.objects.filter((o) => o.name !== 'Connect').map((o) => `${o.name}Ref`)],
  });
  // Symbol.asyncDispose where Node lacks it (before 20.4), before a class uses it as a key
  f.addImportDeclaration({ moduleSpecifier: '../util/dispose-symbol.js' });
  f.addImportDeclaration({ moduleSpecifier: './errors.gen.js', namedImports: ['ErrorDomain', 'ErrorNumber'] });
  f.addImportDeclaration({ moduleSpecifier: '../errors/vir-error.js', namedImports: ['VirError', 'toVirError'] });
  f.addImportDeclaration({
    moduleSpecifier: '../entry-checks.js',
    namedImports: [
      'deniedFlagOnReadOnly', 'deniedOnReadOnly', 'argumentRefused', ...(events ? ['eventFilterData'] : []), 'invalidArgument', 'invalidConnection', 'invalidUuid', 'isFlags', 'isUuidText', 'unsupported',
    ],
  });
  if (iterators) f.addImportDeclaration({ moduleSpecifier: '../domain-event-iterator.js', namedImports: ['domainEventIterator'] });
  if (promises) f.addImportDeclaration({ moduleSpecifier: '../next-callback.js', namedImports: ['nextCallback'] });
  if (abortables) f.addImportDeclaration({ moduleSpecifier: '../call-signal.js', namedImports: ['callSignal', 'withSignal'] });
  if (events) {
    f.addFunction({
      name: 'publicEvent', returnType: 'DomainEvent', docs: ["A driver's event with its domain as the public object."],
      parameters: [{ name: 'conn', type: 'ConnectEntry' }, { name: 'e', type: 'DomainEventData' }],
      statements: ['return { ...e, domain: new DomainEntry(conn, e.domain) } as DomainEvent;'],
    });
  }
  for (const o of api.objects) {
    const isConnect = o.name === 'Connect';
    f.addClass({
      isExported: true, name: `${o.name}Entry`, implements: [o.name],
      docs: [`The public ${o.name}. ${isConnect ? 'Made by open(); ' : 'Made by the calls that return one; '}every call checks, then asks the driver, and fails only with a VirError.`],
      ctors: [{
        parameters: isConnect
          ? [
            { name: 'driver', type: 'ConnectDriver', isReadonly: true, scope: Scope.Public },
            { name: 'readOnly', type: 'boolean', isReadonly: true, scope: Scope.Public },
          ]
          : [
            { name: 'connection', type: 'ConnectEntry', isReadonly: true, scope: Scope.Public },
            { name: 'ref', type: `${o.name}Ref`, isReadonly: true, scope: Scope.Public },
          ],
      }],
      properties: isConnect ? [{ name: 'closed', type: 'boolean', initializer: 'false', docs: ['set by close(); every later call fails with VIR_ERR_INVALID_CONN'] }] : [],
      getAccessors: o.properties.map((p) => ({ name: p.name, returnType: tsType(p.type, 'public'), statements: [`return this.ref.${p.name};`] })),
      methods: [
        ...o.methods.map((m) => ({ name: m.name, isAsync: true, ...publicSignature(m), statements: methodBody(api, o, m) })),
        ...o.methods.filter((m) => m.iterator !== null).map((m) => ({
          name: m.iterator!, ...iteratorSignature(), statements: [
            `const events = domainEventIterator(this, (l, f) => this.${m.name}(l, f), (id) => this.${deregistrationOf(o, m).name}(id), options);`,
            // the registration's filter lets only kind K through
            'return events as AsyncIterableIterator<Extract<DomainEvent, { kind: K }>>;',
          ],
        })),
        ...o.methods.filter((m) => m.promise !== null).map((m) => ({
          name: m.promise!, ...promiseSignature(api, m),
          statements: [`return nextCallback((cb) => this.${m.name}(cb), (cb) => this.${deregistrationOf(o, m).name}(cb), '${m.promise}', options);`],
        })),
        ...(isConnect && o.methods.some((m) => m.name === 'close')
          ? [{ name: '[Symbol.asyncDispose]', isAsync: true, returnType: 'Promise<void>', statements: ['if (!this.closed) await this.close();'] }]
          : []),
      ],
    });
  }
  f.addFunction({
    isExported: true, name: 'entryFromWire', returnType: 'object',
    docs: ["The object a call from a client is made on: the connection itself, or the object its reference names, checked against api.xml's properties (a bad one is libvirt's invalid-pointer error for `fn`)."],
    parameters: [{ name: 'conn', type: 'ConnectEntry' }, { name: 'object', type: 'string' }, { name: 'value', type: 'unknown' }, { name: 'fn', type: 'string' }],
    statements: wireEntryStatements(api),
  });
  return finish(f, path);
}
