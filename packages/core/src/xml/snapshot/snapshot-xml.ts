// libvirt's domain snapshot XML (<domainsnapshot>): what a create call asks for, and a
// snapshot's facts written back as libvirt writes them, with the domain's definition
// (the running one, and the persistent one beside it) indented under it.

import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { childElement, childElements, childText, escapeXml, type XmlElement } from '../xml-element.js';
import { parseXmlDocument } from '../xml-document.js';
import { expectRoot } from '../xml-fields.js';
import { formatDomainXml } from '../domain/domain-format.js';
import type { DomainDef } from '../domain/domain-def.js';
import { domainDefFromTree } from '../domain/domain-parse.js';

/** libvirt's names of snapshot states: the domain states, and 8 for a disk-only snapshot. */
const STATE_NAMES = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended', 'disk-snapshot'];
export const SNAPSHOT_DISK_ONLY_STATE = 8;

export type SnapshotLocation = 'no' | 'internal' | 'external' | 'manual';

export interface SnapshotDisk {
  /** the disk's target (vda) */
  name: string;
  snapshot?: SnapshotLocation;
  /** an external snapshot's new image, and its format */
  file?: string;
  driverType?: string;
}

/** What a snapshot says about itself, as stored and formatted. */
export interface SnapshotFacts {
  name: string;
  description?: string;
  state: number;
  creationTime: number;
  memory: SnapshotLocation;
  disks: SnapshotDisk[];
  /** the domain as it was (running or not) */
  def: DomainDef;
  /** a running domain's persistent definition, when it had one */
  inactiveDef?: DomainDef;
}

/** What a <domainsnapshot> document asks for. */
export interface SnapshotRequest {
  name?: string;
  description?: string;
  memory?: SnapshotLocation;
  disks: SnapshotDisk[];
}

const xmlDetail = (msg: string) => VirError.of(ErrorNumber.XML_DETAIL, ErrorDomain.DOMAIN_SNAPSHOT, msg);
const LOCATIONS = new Set(['no', 'internal', 'external', 'manual']);

function location(el: XmlElement | undefined, attr: string): SnapshotLocation | undefined {
  const v = el?.attrs[attr];
  if (v === undefined) return undefined;
  if (!LOCATIONS.has(v)) throw xmlDetail(`unknown snapshot location '${v}'`);
  return v as SnapshotLocation;
}

export function parseSnapshotXml(xml: string): SnapshotRequest {
  const root = parseXmlDocument(xml, '(domain_snapshot)');
  expectRoot(root, 'domainsnapshot');
  const name = childText(root, 'name');
  if (name !== undefined && name.includes('\n')) throw xmlDetail('invalid char in name: 0x0a');
  const disksEl = childElement(root, 'disks');
  const disks = (disksEl ? childElements(disksEl, 'disk') : []).map((d): SnapshotDisk => {
    if (d.attrs.name === undefined) throw xmlDetail('missing name from disk snapshot element');
    const source = childElement(d, 'source');
    return {
      name: d.attrs.name,
      snapshot: location(d, 'snapshot') ?? (source ? 'external' : undefined),
      file: source?.attrs.file,
      driverType: childElement(d, 'driver')?.attrs.type,
    };
  });
  return { name, description: childText(root, 'description'), memory: location(childElement(root, 'memory'), 'snapshot'), disks };
}

const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');

function diskXml(d: SnapshotDisk): string {
  if (d.snapshot !== 'external') return `    <disk name='${escapeXml(d.name)}' snapshot='${d.snapshot ?? 'no'}'/>\n`;
  return `    <disk name='${escapeXml(d.name)}' snapshot='external' type='file'>\n`
    + (d.driverType ? `      <driver type='${escapeXml(d.driverType)}'/>\n` : '')
    + (d.file !== undefined ? `      <source file='${escapeXml(d.file)}'/>\n` : '')
    + '    </disk>\n';
}

/**
 * A snapshot as libvirt writes it; `parent`: its parent's name. `current`: the driver's
 * own record marks the current snapshot (<active>1</active>), never an API answer.
 */
export function formatSnapshotXml(s: SnapshotFacts, o: { parent?: string; secure: boolean; current?: boolean }): string {
  const domainXml = (def: DomainDef) => indent(formatDomainXml(def, { inactive: true, secure: o.secure }));
  return '<domainsnapshot>\n'
    + `  <name>${escapeXml(s.name)}</name>\n`
    + (s.description !== undefined ? `  <description>${escapeXml(s.description)}</description>\n` : '')
    + `  <state>${STATE_NAMES[s.state]}</state>\n`
    + (o.parent !== undefined ? `  <parent>\n    <name>${escapeXml(o.parent)}</name>\n  </parent>\n` : '')
    + `  <creationTime>${s.creationTime}</creationTime>\n`
    + `  <memory snapshot='${s.memory}'/>\n`
    + (s.disks.length ? `  <disks>\n${s.disks.map(diskXml).join('')}  </disks>\n` : '')
    + domainXml(s.def)
    + (s.inactiveDef ? domainXml(s.inactiveDef).replace(/^  <domain/, '  <inactiveDomain').replace(/<\/domain>\n$/, '</inactiveDomain>\n') : '')
    + (o.current ? '  <active>1</active>\n' : '')
    + '</domainsnapshot>\n';
}

/** A snapshot's facts from the driver's own record (formatSnapshotXml's output), with its parent and whether it is current. */
export function parseSnapshotRecord(xml: string): { facts: SnapshotFacts; parent?: string; current: boolean } {
  const root = parseXmlDocument(xml, '(domain_snapshot)');
  expectRoot(root, 'domainsnapshot');
  const req = parseSnapshotXml(xml);
  const stateName = childText(root, 'state') ?? 'nostate';
  const inactive = childElement(root, 'inactiveDomain');
  const domain = childElement(root, 'domain');
  if (!domain || req.name === undefined) throw xmlDetail('a snapshot record needs a name and a domain');
  return {
    facts: {
      name: req.name,
      description: req.description,
      state: Math.max(0, STATE_NAMES.indexOf(stateName)),
      creationTime: Number(childText(root, 'creationTime') ?? 0),
      memory: req.memory ?? 'no',
      disks: req.disks,
      def: domainDefFromTree(domain),
      inactiveDef: inactive ? domainDefFromTree({ ...inactive, name: 'domain' }) : undefined,
    },
    parent: (() => { const p = childElement(root, 'parent'); return p ? childText(p, 'name') : undefined; })(),
    current: childText(root, 'active') === '1',
  };
}
