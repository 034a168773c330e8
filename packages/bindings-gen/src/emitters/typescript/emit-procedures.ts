import { VariableDeclarationKind } from 'ts-morph';
import type { ApiDef, TypeRef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { finish, newSource, selfParam } from './ts-source.js';

const typeText = (t: TypeRef) => (t.list ? `${t.name}[]` : t.name);

/** procedures.gen.ts: the RPC table, one row per remote procedure. */
export function emitProcedures(api: ApiDef, path: string): GeneratedFile {
  const f = newSource('procedures.gen.ts');
  f.addInterface({
    isExported: true, name: 'ProcedureArg',
    properties: [
      { name: 'name', type: 'string' }, { name: 'type', type: 'string' }, { name: 'optional', type: 'boolean' },
      { name: 'writeFlags', type: 'Readonly<Record<string, number>>', hasQuestionToken: true, docs: ['flags that a read-only connection may not pass, by name'] },
    ],
  });
  f.addInterface({
    isExported: true, name: 'Procedure',
    docs: ["A remote procedure: its number (libvirt's), the call it carries, who may make it, and the shapes of its arguments and reply. Object types travel as their references."],
    properties: [
      { name: 'proc', type: 'number' }, { name: 'object', type: 'string' }, { name: 'method', type: 'string' },
      { name: 'driverName', type: 'string' }, { name: 'c', type: 'string' }, { name: 'access', type: "'read' | 'write'" },
      { name: 'args', type: 'readonly ProcedureArg[]' }, { name: 'returns', type: 'string' },
    ],
  });
  const rows = api.objects.flatMap((o) => o.methods.filter((m) => m.proc !== null).map((m) => {
    const self = o.name === 'Connect' ? [] : [{ name: selfParam(o.name), type: o.name, optional: false }];
    const args = [...self, ...m.args.map((a) => ({
      name: a.name, type: typeText(a.type), optional: a.optional,
      ...(a.writeFlags.length ? { writeFlags: Object.fromEntries(a.writeFlags.map((w) => [w.name, w.value])) } : {}),
    }))];
    return `  { proc: ${m.proc}, object: '${o.name}', method: '${m.name}', driverName: '${m.driverName}', c: '${m.c ?? ''}', access: '${m.access}', args: ${JSON.stringify(args).replace(/"(\w+)":/g, '$1: ').replace(/"/g, "'")}, returns: '${typeText(m.returns)}' },`;
  })).sort((a, b) => Number(/proc: (\d+)/.exec(a)![1]) - Number(/proc: (\d+)/.exec(b)![1]));
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'procedures', type: 'readonly Procedure[]', initializer: `[\n${rows.join('\n')}\n]` }],
  });
  f.addInterface({
    isExported: true, name: 'EventProcedure',
    docs: ['A domain event as it travels: its kind, libvirt event id and procedure number, and its fields after the domain.'],
    properties: [{ name: 'kind', type: 'string' }, { name: 'id', type: 'number' }, { name: 'proc', type: 'number' }, { name: 'fields', type: 'readonly string[]' }],
  });
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{
      name: 'eventProcedures', type: 'readonly EventProcedure[]',
      initializer: `[\n${api.events.map((e) => `  { kind: '${e.name}', id: ${e.id}, proc: ${e.proc}, fields: [${e.fields.map((x) => `'${x.name}'`).join(', ')}] },`).join('\n')}\n]`,
    }],
  });
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: 'procedureByNumber', type: 'ReadonlyMap<number, Procedure>', initializer: 'new Map(procedures.map((p) => [p.proc, p]))' }],
  });
  return finish(f, path);
}
