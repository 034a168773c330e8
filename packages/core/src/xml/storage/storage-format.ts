import { escapeXml, formatElement } from '../xml-element.js';
import type { StorageBackingStore, StoragePermissions, StoragePoolDef, StorageTimestamps, StorageVolDef } from './storage-def.js';

const size = (name: string, bytes: number) => `  <${name} unit='bytes'>${bytes}</${name}>\n`;

function permissions(p: StoragePermissions | undefined): string {
  if (!p) return '';
  let s = '    <permissions>\n';
  for (const k of ['mode', 'owner', 'group', 'label'] as const) if (p[k] !== undefined) s += `      <${k}>${escapeXml(p[k]!)}</${k}>\n`;
  return `${s}    </permissions>\n`;
}

function timestamps(t: StorageTimestamps | undefined): string {
  if (!t) return '';
  return `    <timestamps>\n${(['atime', 'mtime', 'ctime', 'btime'] as const).map((k) => `      <${k}>${t[k]}</${k}>\n`).join('')}    </timestamps>\n`;
}

/** A <target> or <backingStore>: path, format, permissions, timestamps. */
function location(
  tag: string, path: string | undefined, format: string | undefined, perms: StoragePermissions | undefined, times?: StorageTimestamps,
): string {
  let s = `  <${tag}>\n`;
  if (path !== undefined) s += `    <path>${escapeXml(path)}</path>\n`;
  if (format !== undefined) s += `    <format type='${escapeXml(format)}'/>\n`;
  return `${s}${permissions(perms)}${timestamps(times)}  </${tag}>\n`;
}

const backing = (b: StorageBackingStore | undefined) => (b ? location('backingStore', b.path, b.format, b.permissions, b.timestamps) : '');

/** A pool's XML as libvirt writes it; an empty <source> keeps its open and close tags on two lines. */
export function formatStoragePoolXml(def: StoragePoolDef): string {
  let s = `<pool type='${escapeXml(def.type)}'>\n  <name>${escapeXml(def.name)}</name>\n  <uuid>${def.uuid}</uuid>\n`;
  s += size('capacity', def.capacity) + size('allocation', def.allocation) + size('available', def.available);
  s += '  <source>\n';
  for (const e of def.source) s += formatElement(e, '    ');
  s += '  </source>\n';
  return `${s}${location('target', def.targetPath, undefined, def.permissions)}</pool>\n`;
}

/** A volume's XML as libvirt writes it. */
export function formatStorageVolXml(def: StorageVolDef): string {
  let s = `<volume type='${escapeXml(def.type)}'>\n  <name>${escapeXml(def.name)}</name>\n`;
  if (def.key !== undefined) s += `  <key>${escapeXml(def.key)}</key>\n`;
  s += size('capacity', def.capacity) + size('allocation', def.allocation);
  if (def.physical !== undefined) s += size('physical', def.physical);
  s += location('target', def.targetPath, def.format, def.permissions, def.timestamps);
  return `${s}${backing(def.backingStore)}</volume>\n`;
}
