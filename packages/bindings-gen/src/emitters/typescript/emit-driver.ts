import type { ApiDef, MethodDef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { eventUnion, finish, importStreamType, newSource, selfParam, tsType } from './ts-source.js';

/** The driver-side parameters of a method: the object's reference first, then its arguments. */
export function driverParameters(m: MethodDef) {
  const self = m.object === 'Connect' ? [] : [{ name: selfParam(m.object), type: `${m.object}Ref` }];
  return [...self, ...m.args.map((a) => ({ name: a.name, type: tsType(a.type, 'ref') + (a.optional && a.type.name !== 'flags' ? ' | undefined' : '') }))];
}

/** driver.gen.ts: object references and the driver interface, one optional method per call. */
export function emitDriver(api: ApiDef, path: string): GeneratedFile {
  const f = newSource('driver.gen.ts');
  importStreamType(f, api);
  const used = new Set<string>();
  for (const o of api.objects) for (const m of o.methods) for (const t of [m.returns, ...m.args.map((a) => a.type)]) {
    if (t.kind === 'struct' || t.kind === 'enum' || t.kind === 'callback') used.add(t.name);
    if (t.name === 'params') used.add('TypedParams');
  }
  for (const e of api.events) for (const fl of e.fields) if (fl.type.kind === 'enum' || fl.type.kind === 'struct') used.add(fl.type.name);
  if (used.size) f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './api.gen.js', namedImports: [...used].sort() });
  f.addTypeAlias({ isExported: true, name: 'Awaitable', typeParameters: ['T'], type: 'T | Promise<T>', docs: ['Drivers may answer at once or later.'] });
  for (const o of api.objects) {
    if (o.name === 'Connect') continue;
    f.addInterface({
      isExported: true, name: `${o.name}Ref`,
      docs: [`What identifies a ${o.name} between core and a driver. A driver may hand out a live object whose fields follow the ${o.name}'s state.`],
      properties: o.properties.map((p) => ({ name: p.name, type: tsType(p.type, 'ref'), isReadonly: true })),
    });
  }
  if (api.events.length) {
    f.addTypeAlias({ isExported: true, name: 'DomainEventData', type: eventUnion(api, 'ref'), docs: ['A domain event as a driver reports it.'] });
    f.addTypeAlias({ isExported: true, name: 'DomainEventSink', type: '(event: DomainEventData) => void' });
    f.addInterface({
      isExported: true, name: 'DomainEventFilterData', docs: ['Which events a registration hears, as a driver is given it: every event when empty.'],
      properties: [
        { name: 'domain', type: 'DomainRef', hasQuestionToken: true, isReadonly: true },
        { name: 'type', type: "DomainEventData['kind']", hasQuestionToken: true, isReadonly: true },
      ],
    });
  }
  f.addInterface({
    isExported: true, name: 'ConnectDriver',
    docs: ['An open connection of a driver. Every call is optional: a missing one is VIR_ERR_NO_SUPPORT. Optional flags arrive as 0.'],
    methods: api.objects.flatMap((o) => o.methods.map((m) => ({
      name: m.driverName, hasQuestionToken: true, parameters: driverParameters(m),
      returnType: `Awaitable<${tsType(m.returns, 'ref')}>`, docs: [`${m.c ?? `${o.name}.${m.name}`}${m.proc !== null ? `, remote procedure ${m.proc}` : ''}`],
    }))),
  });
  return finish(f, path);
}
