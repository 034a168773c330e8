import type { ApiDef } from '../../api-model.js';
import { BANNER_TEXT, type Emitter, type GeneratedFile } from '../emitter.js';
import { page } from './markdown.js';
import { objectPage } from './object-page.js';
import { enumsPage, errorsPage, eventsPage, structsPage } from './type-pages.js';

function indexPage(api: ApiDef, outDir: string): GeneratedFile {
  const objects = api.objects.map((o) => `- [${o.name}](${o.name}.md): ${o.methods.length} method${o.methods.length === 1 ? '' : 's'}${o.doc ? `. ${o.doc}` : ''}`);
  const types = [
    `- [Enums and flags](enums.md): ${api.enums.length}`,
    `- [Structs](structs.md): ${api.structs.length}`,
    `- [Domain events](events.md): ${api.events.length}`,
    `- [Errors](errors.md): ${api.errors.codes.length} codes, ${api.errors.domains.length} domains`,
  ];
  const text = page(
    `<!-- ${BANNER_TEXT} -->`,
    `# ${api.name} API reference, version ${api.version}`,
    `Generated from \`api.xml\` (the format: [../api-xml.md](../api-xml.md)). It implements libvirt's API level ${api.libvirt}: names, numbers and remote procedure numbers are libvirt's, so each call names the libvirt function it corresponds to.`,
    `## Objects\n\n${objects.join('\n')}`,
    `## Types\n\n${types.join('\n')}`,
  );
  return { path: `${outDir}/README.md`, text };
}

/** Markdown: the API reference from api.xml's <doc> texts (the project's docs/api/). */
export const docsEmitter: Emitter = {
  name: 'docs',
  description: 'the API reference in markdown: one page per object, and pages for enums, structs, events and errors',
  emit: (api, outDir) => [
    indexPage(api, outDir),
    ...api.objects.map((o) => objectPage(api, o, outDir)),
    enumsPage(api, outDir),
    structsPage(api, outDir),
    eventsPage(api, outDir),
    errorsPage(api, outDir),
  ],
};
