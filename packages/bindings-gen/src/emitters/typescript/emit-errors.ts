import { VariableDeclarationKind } from 'ts-morph';
import type { ApiDef } from '../../api-model.js';
import type { GeneratedFile } from '../emitter.js';
import { finish, newSource } from './ts-source.js';

/** errors.gen.ts: libvirt's error levels, domains and codes, and their default messages. */
export function emitErrors(api: ApiDef, path: string): GeneratedFile {
  const f = newSource('errors.gen.ts');
  const { levels, domains, codes } = api.errors;
  const table = (name: string, doc: string, rows: { name: string; value: number }[]) => {
    f.addVariableStatement({
      isExported: true, declarationKind: VariableDeclarationKind.Const, docs: [doc],
      declarations: [{ name, initializer: `{\n${rows.map((r) => `  ${r.name}: ${r.value},`).join('\n')}\n} as const` }],
    });
    f.addTypeAlias({ isExported: true, name, type: `(typeof ${name})[keyof typeof ${name}]` });
  };
  table('ErrorLevel', 'How serious an error is (virErrorLevel).', levels);
  table('ErrorDomain', 'Where an error comes from (virErrorDomain).', domains);
  table('ErrorNumber', 'What went wrong (virErrorNumber): VIR_ERR_X is ErrorNumber.X, VIR_WAR_X is ErrorNumber.WAR_X.', codes);

  const byValue = new Map(domains.map((d) => [d.value, d.label]));
  const maxDomain = Math.max(...domains.map((d) => d.value));
  f.addVariableStatement({
    isExported: true, declarationKind: VariableDeclarationKind.Const,
    docs: ['The label of each error domain, indexed by its number, as libvirt prints it.'],
    declarations: [{ name: 'errorDomainLabels', type: 'readonly string[]', initializer: `[\n${Array.from({ length: maxDomain + 1 }, (_, i) => `  ${JSON.stringify(byValue.get(i) ?? '')},`).join('\n')}\n]` }],
  });
  const msgByValue = new Map(codes.map((c) => [c.value, c]));
  const maxCode = Math.max(...codes.map((c) => c.value));
  f.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Per code: the message alone, and the format that takes extra information (one %s).'],
    declarations: [{
      name: 'messages', type: 'readonly (readonly [string, string] | null)[]',
      initializer: `[\n${Array.from({ length: maxCode + 1 }, (_, i) => {
        const c = msgByValue.get(i);
        return c?.message != null ? `  [${JSON.stringify(c.message)}, ${JSON.stringify(c.format)}],` : '  null,';
      }).join('\n')}\n]`,
    }],
  });
  f.addFunction({
    isExported: true, name: 'errorMessage', returnType: 'string',
    docs: ["The message libvirt gives for an error code, with `info` folded in when given."],
    parameters: [{ name: 'code', type: 'number' }, { name: 'info', type: 'string', hasQuestionToken: true }],
    statements: [
      'const m = messages[code];',
      'if (!m) return info ?? `unknown error code ${code}`;',
      'return info === undefined ? m[0] : m[1].replace(\'%s\', () => info);',
    ],
  });
  return finish(f, path);
}
