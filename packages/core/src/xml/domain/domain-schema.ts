// The project's RelaxNG schema of domain XML, written from the same layout the
// formatter uses (domain-layout.ts): each element with the attributes and children
// libvirt writes for it; text where the element holds a value; custom <metadata> and
// other namespaces' extensions (qemu:commandline) free. `define --validate` checks
// documents against it.

import { allLayouts, childPath, type ElementLayout } from './domain-layout.js';

const defineName = (path: string) => `e.${path === '' ? 'domain' : path.replace(/\//g, '.')}`;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Any content, for elements of other schemas. */
const ANY = `  <define name="any">
    <element>
      <anyName/>
      <zeroOrMore><choice><attribute><anyName/></attribute><text/><ref name="any"/></choice></zeroOrMore>
    </element>
  </define>
  <define name="foreign">
    <element>
      <anyName><except><nsName ns=""/></except></anyName>
      <zeroOrMore><choice><attribute><anyName/></attribute><text/><ref name="any"/></choice></zeroOrMore>
    </element>
  </define>
`;

function elementDefine(path: string, name: string, layout: ElementLayout | undefined): string {
  const attrs = [...(layout?.attrs.keys() ?? [])].map((a) => `<optional><attribute name="${escape(a)}"/></optional>`);
  const children = [...(layout?.children.keys() ?? [])].map((c) => `<ref name="${defineName(childPath(path, c))}"/>`);
  const content = path === 'metadata'
    ? '<zeroOrMore><ref name="any"/></zeroOrMore>'
    : `<interleave>${[...children, path === '' ? '<ref name="foreign"/>' : ''].filter(Boolean).map((c) => `<zeroOrMore>${c}</zeroOrMore>`).join('')}<text/></interleave>`;
  return `  <define name="${defineName(path)}">\n    <element name="${escape(name)}">${attrs.join('')}${content}</element>\n  </define>\n`;
}

/** The schema's text. */
export function domainRelaxNg(): string {
  const paths = new Map<string, ElementLayout | undefined>(allLayouts());
  // children named by a layout but without one of their own: values (<name>, <emulator>)
  for (const [path, l] of allLayouts()) for (const c of l.children.keys()) if (!paths.has(childPath(path, c))) paths.set(childPath(path, c), undefined);
  let s = '<?xml version="1.0"?>\n<!-- Generated from packages/core/src/xml/domain/domain-layout.ts by scripts/write-domain-schema.mjs: do not edit. -->\n';
  s += '<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n  <start><ref name="e.domain"/></start>\n';
  for (const path of [...paths.keys()].sort()) s += elementDefine(path, path === '' ? 'domain' : path.slice(path.lastIndexOf('/') + 1), paths.get(path));
  return `${s}${ANY}</grammar>\n`;
}
