import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { SecretUsageType } from '../../gen/api.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { newUuid, normalizeUuid } from '../../util/uuid.js';
import { parseXmlDocument } from '../xml-document.js';
import { expectRoot } from '../xml-fields.js';
import { childElement, childText, escapeXml, type XmlElement } from '../xml-element.js';

/** A secret's definition (libvirt's virSecretDef): never its value. */
export interface SecretDef {
  uuid: string;
  /** kept only in memory, never written to disk */
  ephemeral: boolean;
  /** its value is never given to a caller */
  private: boolean;
  description?: string;
  usageType: SecretUsageType;
  /** the object that uses it: a volume's path, a Ceph, TLS or vTPM name, an iSCSI target; empty for none */
  usageID: string;
}

/** Each usage type: its name in XML, the element that holds the usage id, and how libvirt names it when missing. */
const USAGES: Readonly<Record<number, { type: string; element: string; missing: string }>> = {
  [SecretUsageType.VOLUME]: { type: 'volume', element: 'volume', missing: 'volume usage specified, but volume path is missing' },
  [SecretUsageType.CEPH]: { type: 'ceph', element: 'name', missing: 'Ceph usage specified, but name is missing' },
  [SecretUsageType.ISCSI]: { type: 'iscsi', element: 'target', missing: 'iSCSI usage specified, but target is missing' },
  [SecretUsageType.TLS]: { type: 'tls', element: 'name', missing: 'TLS usage specified, but name is missing' },
  [SecretUsageType.VTPM]: { type: 'vtpm', element: 'name', missing: 'vTPM usage specified, but name is missing' },
};

/** A usage type's name in XML and in virsh's secret-list ('none' for none). */
export const secretUsageTypeName = (t: SecretUsageType): string => USAGES[t]?.type ?? 'none';

const xmlError = (message: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.SECRET, message);
const internal = (message: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.SECRET, message);

/** libvirt's yes/no attributes: absent is no. */
function yesNo(root: XmlElement, attr: string): boolean {
  const v = root.attrs[attr];
  if (v === undefined || v === 'no') return false;
  if (v === 'yes') return true;
  throw xmlError(`invalid value of '${attr}'`);
}

function usageOf(usage: XmlElement | undefined): { usageType: SecretUsageType; usageID: string } {
  if (usage === undefined) return { usageType: SecretUsageType.NONE, usageID: '' };
  const type = usage.attrs.type;
  if (type === undefined) throw xmlError('unknown secret usage type');
  if (type === 'none') return { usageType: SecretUsageType.NONE, usageID: '' };
  const entry = Object.entries(USAGES).find(([, u]) => u.type === type);
  if (!entry) throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.SECRET, `unknown secret usage type ${type}`);
  const [value, u] = entry;
  const id = childText(usage, u.element);
  if (!id) throw internal(u.missing);
  return { usageType: Number(value) as SecretUsageType, usageID: id };
}

/** Parse a <secret> document (libvirt's virSecretDefParse); a new secret without a UUID gets one. */
export function parseSecretXml(xml: string | Uint8Array): SecretDef {
  const root = parseXmlDocument(xml, '(definition_of_secret)', ErrorDomain.SECRET);
  expectRoot(root, 'secret');
  const ephemeral = yesNo(root, 'ephemeral');
  const isPrivate = yesNo(root, 'private');
  const uuidText = childText(root, 'uuid');
  let uuid = newUuid();
  if (uuidText !== undefined) {
    const parsed = normalizeUuid(uuidText);
    if (parsed === null) throw internal('malformed uuid element');
    uuid = parsed;
  }
  const description = childText(root, 'description');
  return { uuid, ephemeral, private: isPrivate, ...(description === undefined ? {} : { description }), ...usageOf(childElement(root, 'usage')) };
}

/** A secret's XML as libvirt writes it (virSecretDefFormat). */
export function formatSecretXml(def: SecretDef): string {
  let s = `<secret ephemeral='${def.ephemeral ? 'yes' : 'no'}' private='${def.private ? 'yes' : 'no'}'>\n  <uuid>${def.uuid}</uuid>\n`;
  if (def.description !== undefined) s += `  <description>${escapeXml(def.description)}</description>\n`;
  const u = USAGES[def.usageType];
  if (u) s += `  <usage type='${u.type}'>\n    <${u.element}>${escapeXml(def.usageID)}</${u.element}>\n  </usage>\n`;
  return `${s}</secret>\n`;
}
