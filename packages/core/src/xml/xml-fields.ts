import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import { normalizeUuid, newUuid } from '../util/uuid.js';
import { childText, type XmlElement } from './xml-element.js';

// Fields that every named object's XML has (network, storage pool, ...), read the same way.

/** libvirt's check that a document is of the kind a call expects: its XML parser's, whoever calls. */
export function expectRoot(root: XmlElement, name: string): void {
  if (root.name !== name) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.XML, `expecting root element of '${name}', not '${root.name}'`);
}

/** The required <name>: missing is VIR_ERR_NO_NAME, as libvirt reports it. */
export function requiredName(root: XmlElement, domain: ErrorDomain): string {
  const name = childText(root, 'name');
  if (!name) throw VirError.of(ErrorNumber.NO_NAME, domain);
  return name;
}

/** The <uuid>, generated when absent; a malformed one is an XML error. */
export function uuidOrNew(root: XmlElement, domain: ErrorDomain): string {
  const text = childText(root, 'uuid');
  if (text === undefined) return newUuid();
  const uuid = normalizeUuid(text);
  if (!uuid) throw VirError.of(ErrorNumber.XML_ERROR, domain, `malformed uuid element`);
  return uuid;
}
