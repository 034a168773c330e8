import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { toBytes } from '../domain/memory-units.js';
import { expectRoot, requiredName, uuidOrNew } from '../xml-fields.js';
import { parseXmlDocument } from '../xml-document.js';
import { childElement, childElements, childText, textOf, type XmlElement } from '../xml-element.js';
import type { StoragePermissions, StoragePoolDef, StorageVolDef } from './storage-def.js';

const xmlError = (info: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.STORAGE, info);

/** A size element (<capacity unit='MiB'>100</capacity>) in bytes, or undefined when absent. */
function sizeOf(root: XmlElement, name: string): number | undefined {
  const el = childElement(root, name);
  if (!el) return undefined;
  const text = textOf(el).trim();
  const bytes = /^\d+$/.test(text) ? toBytes(Number(text), el.attrs.unit) : null;
  if (bytes === null) throw xmlError(`malformed ${name} element`);
  return bytes;
}

function permissionsOf(target: XmlElement | undefined): StoragePermissions | undefined {
  const p = target && childElement(target, 'permissions');
  return p && { mode: childText(p, 'mode'), owner: childText(p, 'owner'), group: childText(p, 'group'), label: childText(p, 'label') };
}

/** Parse a <pool> document (virStoragePoolDefParseString). */
export function parseStoragePoolXml(xml: string | Uint8Array): StoragePoolDef {
  return storagePoolDefFromTree(parseXmlDocument(xml, '(storage_pool_definition)', ErrorDomain.STORAGE));
}

/** A pool's definition from its parsed <pool> element. */
export function storagePoolDefFromTree(root: XmlElement): StoragePoolDef {
  expectRoot(root, 'pool');
  const type = root.attrs.type;
  if (!type) throw xmlError('storage pool missing type attribute');
  const target = childElement(root, 'target');
  const source = childElement(root, 'source');
  const capacity = sizeOf(root, 'capacity') ?? 0;
  return {
    type,
    name: requiredName(root, ErrorDomain.STORAGE),
    uuid: uuidOrNew(root, ErrorDomain.STORAGE),
    capacity,
    allocation: sizeOf(root, 'allocation') ?? 0,
    available: sizeOf(root, 'available') ?? capacity,
    source: source ? childElements(source) : [],
    targetPath: target && childText(target, 'path'),
    permissions: permissionsOf(target),
  };
}

/** Parse a <volume> document (virStorageVolDefParseString). */
export function parseStorageVolXml(xml: string | Uint8Array): StorageVolDef {
  return storageVolDefFromTree(parseXmlDocument(xml, '(storage_volume_definition)', ErrorDomain.STORAGE));
}

/** A volume's definition from its parsed <volume> element: allocation defaults to capacity. */
export function storageVolDefFromTree(root: XmlElement): StorageVolDef {
  expectRoot(root, 'volume');
  const capacity = sizeOf(root, 'capacity');
  if (capacity === undefined) throw xmlError('missing capacity element');
  const target = childElement(root, 'target');
  const backing = childElement(root, 'backingStore');
  const backingPath = backing && childText(backing, 'path');
  return {
    type: root.attrs.type ?? 'file',
    name: requiredName(root, ErrorDomain.STORAGE),
    key: childText(root, 'key'),
    capacity,
    allocation: sizeOf(root, 'allocation') ?? capacity,
    targetPath: target && childText(target, 'path'),
    format: target && childElement(target, 'format')?.attrs.type,
    permissions: permissionsOf(target),
    backingStore: backingPath ? { path: backingPath, format: childElement(backing!, 'format')?.attrs.type } : undefined,
  };
}
