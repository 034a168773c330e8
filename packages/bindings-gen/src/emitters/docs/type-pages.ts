import type { ApiDef, FieldDef } from '../../api-model.js';
import { BANNER_TEXT, type GeneratedFile } from '../emitter.js';
import { entry, page, table, typeLink } from './markdown.js';

/** A reference page: banner, title, the sections, and the way back to the index. */
const referencePage = (api: ApiDef, title: string, intro: string, sections: string[]) =>
  page(`<!-- ${BANNER_TEXT} -->`, `# ${title}`, intro, ...sections, `[API reference](README.md) · ${api.name} ${api.version}`);

const fieldTable = (fields: FieldDef[]) => table(['field', 'type', 'description'], fields.map((f) => [`\`${f.name}\``, typeLink(f.type), f.doc]));

export function enumsPage(api: ApiDef, outDir: string): GeneratedFile {
  const sections = api.enums.map((e) => entry(e.name, e.doc,
    [e.kind === 'flags' ? 'flags (combine with |)' : 'enum', e.c ? `libvirt: \`${e.c}\`` : null, `since ${e.since}`],
    table(['name', 'value', 'libvirt constant', 'since', 'description'], e.values.map((v) => [`\`${v.name}\``, String(v.value), `\`${e.prefix}${v.name}\``, v.since, v.doc]))));
  return { path: `${outDir}/enums.md`, text: referencePage(api, 'Enums and flags', 'Values are libvirt\'s: the same number means the same thing in tsvirt and libvirt.', sections) };
}

export function structsPage(api: ApiDef, outDir: string): GeneratedFile {
  const sections = api.structs.map((s) => entry(s.name, s.doc, [s.c ? `libvirt: \`${s.c}\`` : null, `since ${s.since}`], fieldTable(s.fields)));
  return { path: `${outDir}/structs.md`, text: referencePage(api, 'Structs', 'Records that calls return.', sections) };
}

export function eventsPage(api: ApiDef, outDir: string): GeneratedFile {
  const sections = api.events.map((e) => entry(e.name, e.doc,
    [e.c ? `libvirt: \`${e.c}\`` : null, `event id ${e.id}`, `procedure ${e.proc}`, `since ${e.since}`], fieldTable(e.fields)));
  const intro = 'A listener receives each event as `{ kind, domain, ...fields }`, `kind` being the event\'s name.';
  return { path: `${outDir}/events.md`, text: referencePage(api, 'Domain events', intro, sections) };
}

export function errorsPage(api: ApiDef, outDir: string): GeneratedFile {
  const { errors } = api;
  const intro = `Every failure is a \`VirError\` with a code, a domain and a level, numbered as in libvirt (since ${errors.since}).`;
  return {
    path: `${outDir}/errors.md`,
    text: referencePage(api, 'Errors', intro, [
      `## Codes\n\n${table(['name', 'value', 'libvirt constant', 'message'], errors.codes.map((c) => [`\`${c.name}\``, String(c.value), `\`VIR_${c.name.startsWith('WAR_') ? '' : 'ERR_'}${c.name}\``, c.format ?? c.message ?? '']))}`,
      `## Domains\n\n${table(['name', 'value', 'libvirt constant', 'label'], errors.domains.map((d) => [`\`${d.name}\``, String(d.value), `\`VIR_FROM_${d.name}\``, d.label]))}`,
      `## Levels\n\n${table(['name', 'value'], errors.levels.map((l) => [`\`${l.name}\``, String(l.value)]))}`,
    ]),
  };
}
