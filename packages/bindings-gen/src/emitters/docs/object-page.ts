import type { ApiDef, MethodDef, ObjectDef } from '../../api-model.js';
import { BANNER_TEXT, type GeneratedFile } from '../emitter.js';
import { anchor, factLine, page, table, typeLink } from './markdown.js';

/** The line of facts under a method: how it maps onto libvirt and the bindings. */
function methodFacts(m: MethodDef): string {
  return factLine([
    `access: ${m.access}`,
    ...m.args.flatMap((a) => a.writeFlags.map((w) => `\`${w.name}\` in \`${a.name}\` needs write access`)),
    `since ${m.since}`,
    m.c ? `libvirt: \`${m.c}\`` : null,
    `procedure: ${m.proc ?? 'none (answered locally)'}`,
    m.python ? `Python: \`${m.python}\`` : null,
    m.perl ? `Perl: \`${m.perl}\`` : null,
  ]);
}

function methodSection(m: MethodDef): string {
  const signature = m.args.map((a) => `${a.name}${a.optional ? '?' : ''}`).join(', ');
  const args = table(['argument', 'type', 'description'], m.args.map((a) => [
    `\`${a.name}\`${a.optional ? ' (optional)' : ''}`,
    a.enumName ? `${typeLink(a.type)} of [${a.enumName}](enums.md#${anchor(a.enumName)})` : typeLink(a.type),
    a.doc,
  ]));
  return page(`### ${m.name}(${signature})`, m.doc, args, `Returns ${typeLink(m.returns)}.`, methodFacts(m)).trimEnd();
}

/** One page per public object: its properties, then every method with its arguments and facts. */
export function objectPage(api: ApiDef, o: ObjectDef, outDir: string): GeneratedFile {
  const names = factLine([o.c ? `libvirt: \`${o.c}\`` : null, o.python ? `Python: \`${o.python}\`` : null, o.perl ? `Perl: \`${o.perl}\`` : null]);
  const properties = table(['property', 'type', 'since', 'description'], o.properties.map((p) => [`\`${p.name}\``, typeLink(p.type), p.since, p.doc]));
  const text = page(
    `<!-- ${BANNER_TEXT} -->`,
    `# ${o.name}`,
    o.doc,
    names,
    properties && `## Properties\n\n${properties}`,
    o.methods.length ? `## Methods\n\n${o.methods.map(methodSection).join('\n\n')}` : '',
    `[API reference](README.md) · ${api.name} ${api.version}`,
  );
  return { path: `${outDir}/${o.name}.md`, text };
}
