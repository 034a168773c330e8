import { VariableDeclarationKind } from 'ts-morph';
import type { ApiDef, MethodDef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { eventUnion, finish, importStreamType, jsdoc, newSource, tsType } from './ts-source.js';

/** The public signature of a method, as its parameters and return type. */
export function publicSignature(m: MethodDef) {
  return {
    // flags by the enum that names them: the alias is a number, but the editor shows which values fit
    parameters: [
      ...m.args.map((a) => ({ name: a.name, type: a.type.name === 'flags' && a.enumName ? a.enumName : tsType(a.type, 'public'), hasQuestionToken: a.optional })),
      ...(m.abortable ? [{ name: 'options', type: 'CallOptions', hasQuestionToken: true }] : []),
    ],
    returnType: `Promise<${tsType(m.returns, 'public')}>`,
  };
}

/** The public signature of an event registration's iterator form. */
export function iteratorSignature() {
  return {
    // the kind asked for narrows the events: `type: 'lifecycle'` yields lifecycle events
    typeParameters: [{ name: 'K', constraint: 'DomainEventKind', default: 'DomainEventKind' }],
    parameters: [{ name: 'options', type: 'DomainEventsOptions & { type?: K }', hasQuestionToken: true }],
    returnType: 'AsyncIterableIterator<Extract<DomainEvent, { kind: K }>>',
  };
}

/** The public signature of a callback registration's promise form: the callback's first argument. */
export function promiseSignature(api: ApiDef, m: MethodDef) {
  const callback = api.callbacks.find((c) => m.args.some((a) => a.type.kind === 'callback' && a.type.name === c.name))!;
  return {
    parameters: [{ name: 'options', type: 'CallOptions', hasQuestionToken: true }],
    returnType: `Promise<${callback.args.length ? tsType(callback.args[0].type, 'public') : 'void'}>`,
  };
}

/** api.gen.ts: enums and flags, structs, and the public object interfaces. */
export function emitApi(api: ApiDef, path: string): GeneratedFile {
  const f = newSource('api.gen.ts');
  importStreamType(f, api);
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: ['The version of the API described here, and the libvirt API level it implements.'],
    declarations: [{ name: 'API_VERSION', initializer: JSON.stringify(api.version) }, { name: 'LIBVIRT_API_VERSION', initializer: JSON.stringify(api.libvirt) }],
  });
  f.addTypeAlias({ isExported: true, name: 'TypedParams', type: 'Record<string, string | number | boolean>', docs: ["libvirt's typed parameters, by name."] });
  if (api.events.length) {
    f.addTypeAlias({ isExported: true, name: 'DomainEvent', type: eventUnion(api, 'public'), docs: ['A domain event, as delivered to listeners.'] });
    f.addTypeAlias({ isExported: true, name: 'DomainEventListener', type: '(event: DomainEvent) => void' });
    f.addTypeAlias({ isExported: true, name: 'DomainEventKind', type: "DomainEvent['kind']", docs: ["An event's kind, the name api.xml gives it."] });
    f.addInterface({
      isExported: true, name: 'DomainEventFilter', docs: ['Which events a registration hears; every event when empty.'],
      properties: [
        { name: 'domain', type: 'Domain', hasQuestionToken: true, docs: ["only this domain's events (a domain of the same connection)"] },
        { name: 'type', type: 'DomainEventKind', hasQuestionToken: true, docs: ['only events of this kind'] },
      ],
    });
    f.addInterface({
      isExported: true, name: 'DomainEventsOptions', extends: ['DomainEventFilter'],
      docs: ['What an event iterator hears, and when it ends.'],
      properties: [
        { name: 'signal', type: 'AbortSignal', hasQuestionToken: true, docs: ['ends the iteration (and its registration) when aborted'] },
        {
          name: 'maxQueued', type: 'number', hasQuestionToken: true,
          docs: ['how many events may wait for a slow consumer (default 1024); one more ends the iteration with a VirError once those are read'],
        },
      ],
    });
  }
  for (const e of api.enums) {
    const body = e.values.map((v) => `${v.doc ? `  /** ${jsdoc(v.doc)} */\n` : ''}  ${v.name}: ${v.value},`).join('\n');
    f.addVariableStatement({
      isExported: true, declarationKind: VariableDeclarationKind.Const,
      docs: [`${e.doc || e.name}${e.c ? ` (libvirt's ${e.c}, ${e.prefix}*)` : ''}. Since ${e.since}.`],
      declarations: [{ name: e.name, initializer: `{\n${body}\n} as const` }],
    });
    f.addTypeAlias({
      isExported: true, name: e.name,
      type: e.kind === 'flags' ? 'number' : `(typeof ${e.name})[keyof typeof ${e.name}]`,
      docs: e.kind === 'flags' ? [`A bitwise OR of ${e.name} values.`] : [],
    });
  }
  for (const c of api.callbacks) {
    f.addTypeAlias({
      isExported: true, name: c.name, docs: [`${jsdoc(c.doc)}${c.c ? ` (libvirt's ${c.c})` : ''}. Since ${c.since}.`],
      type: `(${c.args.map((a) => `${a.name}: ${tsType(a.type, 'public')}`).join(', ')}) => void`,
    });
  }
  if (api.objects.some((o) => o.methods.some((m) => m.promise !== null || m.abortable))) {
    f.addInterface({
      isExported: true, name: 'CallOptions', docs: ['Options of a call that may take long.'],
      properties: [{ name: 'signal', type: 'AbortSignal', hasQuestionToken: true, docs: ['gives the call up: it rejects with VIR_ERR_OPERATION_ABORTED'] }],
    });
  }
  for (const s of api.structs) {
    f.addInterface({
      isExported: true, name: s.name, docs: [`${jsdoc(s.doc)} Since ${s.since}.`],
      properties: s.fields.map((fl) => ({ name: fl.name, type: tsType(fl.type, 'public'), docs: fl.doc ? [jsdoc(fl.doc)] : [] })),
    });
  }
  for (const o of api.objects) {
    f.addInterface({
      isExported: true, name: o.name, docs: [jsdoc(o.doc)],
      properties: [
        ...(o.name === 'Connect' ? [] : [{ name: 'connection', type: 'Connect', isReadonly: true, docs: ['the connection this object belongs to'] }]),
        ...o.properties.map((p) => ({ name: p.name, type: tsType(p.type, 'public'), isReadonly: true, docs: [`${jsdoc(p.doc)}. Since ${p.since}.`] })),
      ],
      methods: [
        ...o.methods.map((m) => ({ name: m.name, ...publicSignature(m), docs: [`${jsdoc(m.doc)} Since ${m.since}.`] })),
        ...o.methods.filter((m) => m.iterator !== null).map((m) => ({
          name: m.iterator!, ...iteratorSignature(),
          docs: [`The events of ${m.name} as an async iterator: \`for await (const ev of conn.${m.iterator}({ domain, type, signal }))\`. Since ${m.since}.`],
        })),
        ...o.methods.filter((m) => m.promise !== null).map((m) => ({
          name: m.promise!, ...promiseSignature(api, m),
          docs: [`The next call of ${m.name}'s callback, as a promise of its argument (registered for that one call). Since ${m.since}.`],
        })),
        ...(o.name === 'Connect' && o.methods.some((m) => m.name === 'close')
          ? [{ name: '[Symbol.asyncDispose]', returnType: 'Promise<void>', docs: ['Closes the connection unless it is closed already: `await using conn = await open(uri)`.'] }]
          : []),
      ],
    });
  }
  return finish(f, path);
}
