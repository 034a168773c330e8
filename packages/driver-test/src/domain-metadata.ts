import { DomainMetadataType as Meta, DomainModificationImpact as Impact, ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { element, formatElement, parseXmlDocument, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import type { TestDomain } from './test-domain.js';
import { checkFlags } from './test-errors.js';

const invalidArg = (info: string) => VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, info);
const notPresent = () => VirError.of(ErrorNumber.NO_DOMAIN_METADATA, ErrorDomain.TEST, 'Requested metadata element is not present');

/** The namespace URI an element of <metadata> declares, whatever its prefix. */
const namespaceOf = (el: XmlElement) => Object.entries(el.attrs).find(([k]) => k.startsWith('xmlns:'))?.[1];

const findElement = (def: DomainDef, uri: string) => def.metadata?.children.find((c): c is XmlElement => typeof c !== 'string' && namespaceOf(c) === uri);

/** An element without its namespace prefix and declaration, as libvirt hands custom metadata back. */
function unqualified(el: XmlElement): XmlElement {
  const attrs = Object.fromEntries(Object.entries(el.attrs).filter(([k]) => !k.startsWith('xmlns:')));
  const children = el.children.map((c) => (typeof c === 'string' ? c : unqualified(c)));
  return element(el.name.replace(/^[^:]*:/, ''), attrs, children);
}

/** The same element under `key:`, declaring the namespace, as libvirt stores it. */
function qualified(el: XmlElement, key: string, uri?: string): XmlElement {
  const attrs = uri === undefined ? { ...el.attrs } : { [`xmlns:${key}`]: uri, ...el.attrs };
  const children = el.children.map((c) => (typeof c === 'string' ? c : qualified(c, key)));
  return element(`${key}:${el.name.replace(/^[^:]*:/, '')}`, attrs, children);
}

export function getDomainMetadata(d: TestDomain, type: number, uri: string | undefined, flags: number): string {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'virDomainGetMetadata');
  const { live, config } = d.affectedDefs(flags, false);
  const def = (live ?? config)!;
  if (type === Meta.TITLE || type === Meta.DESCRIPTION) {
    const text = type === Meta.TITLE ? def.title : def.description;
    if (text === undefined) throw notPresent();
    return text;
  }
  if (uri === undefined) throw invalidArg('uri in virDomainGetMetadata must not be NULL');
  const found = findElement(def, uri);
  if (!found) throw notPresent();
  return formatElement(unqualified(found), '', '"').trimEnd();
}

export function setDomainMetadata(d: TestDomain, type: number, metadata: string | undefined, key: string | undefined, uri: string | undefined, flags: number): void {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'virDomainSetMetadata');
  const value = metadata === '' ? undefined : metadata;
  let parsed: XmlElement | undefined;
  if (type === Meta.TITLE && value?.includes('\n')) throw invalidArg("title can't contain newlines");
  if (type === Meta.ELEMENT) {
    if (uri === undefined) throw invalidArg('uri in virDomainSetMetadata must not be NULL');
    if (value !== undefined) {
      if (key === undefined) throw invalidArg('key in virDomainSetMetadata must not be NULL');
      parsed = qualified(parseXmlDocument(value, '(metadata_xml)'), key, uri);
    }
  } else if (type !== Meta.TITLE && type !== Meta.DESCRIPTION) {
    throw invalidArg(`unknown metadata type '${type}'`);
  }
  const { live, config } = d.affectedDefs(flags);
  for (const def of [live, config]) {
    if (!def) continue;
    if (type === Meta.TITLE) def.title = value;
    else if (type === Meta.DESCRIPTION) def.description = value;
    else replaceElement(def, uri!, parsed);
  }
}

function replaceElement(def: DomainDef, uri: string, el: XmlElement | undefined): void {
  const kept = (def.metadata?.children ?? []).filter((c) => typeof c === 'string' || namespaceOf(c) !== uri);
  const children = el ? [...kept, el] : kept;
  if (children.some((c) => typeof c !== 'string')) def.metadata = element('metadata', {}, children);
  else delete def.metadata;
}
