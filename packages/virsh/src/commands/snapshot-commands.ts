import {
  DomainSnapshotCreateFlags as Create, DomainSnapshotDeleteFlags as Del, DomainSnapshotListFlags as List,
  DomainSnapshotRevertFlags as Revert, type Domain, type DomainSnapshot,
} from '@tsvirt/core';
import { escapeXml, parseXmlDocument, childText } from '@tsvirt/core/xml';
import type { CommandDef, OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { readCommandFile } from './domain-lifecycle-commands.js';
import { domainCommand, flagsOf } from './domain-command.js';

const SNAPSHOT_OPTION = { name: 'snapshotname', type: 'string', help: 'snapshot name', positional: true } as const;

/** Facts virsh shows of a snapshot, read from its XML. */
function snapshotFacts(xml: string): { state: string; creationTime: number; parent?: string; external: boolean } {
  const root = parseXmlDocument(xml, '(domain_snapshot)');
  const parent = root.children.find((c) => typeof c !== 'string' && c.name === 'parent');
  const memory = root.children.find((c) => typeof c !== 'string' && c.name === 'memory');
  const disks = root.children.find((c) => typeof c !== 'string' && c.name === 'disks');
  // As libvirt's virsh: external when the memory or a disk is kept outside the images.
  const external = (memory && typeof memory !== 'string' && memory.attrs.snapshot === 'external')
    || (disks !== undefined && typeof disks !== 'string' && disks.children.some((d) => typeof d !== 'string' && d.attrs.snapshot === 'external'));
  return {
    state: childText(root, 'state') ?? '',
    creationTime: Number(childText(root, 'creationTime') ?? 0),
    parent: parent && typeof parent !== 'string' ? childText(parent, 'name') : undefined,
    external: external === true,
  };
}

/** A time as virsh prints snapshot creation times: local time with its UTC offset. */
export function snapshotTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} `
    + `${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
}

/**
 * The snapshot a command names (--snapshotname), or with --current the current one; null
 * when neither, or both where --current only chooses (reported). snapshot-edit takes both:
 * its --current also makes the named snapshot current.
 */
export async function namedSnapshot(ctx: VirshContext, dom: Domain, opts: OptionValues, exclusive = true): Promise<DomainSnapshot | null> {
  const name = opts.get('snapshotname') as string | undefined;
  const current = opts.has('current');
  if (exclusive && name !== undefined && current) ctx.error('--snapshotname and --current are mutually exclusive');
  else if (name === undefined && !current) ctx.error('--snapshotname or --current is required');
  else return name === undefined ? dom.snapshotCurrent() : dom.snapshotLookupByName(name);
  return null;
}

const byName = (a: DomainSnapshot, b: DomainSnapshot) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const CREATE_FLAG_OPTIONS: [string, number, string][] = [
  ['halt', Create.HALT, 'halt domain after snapshot is created'],
  ['disk-only', Create.DISK_ONLY, 'capture disk state but not vm state'],
  ['reuse-external', Create.REUSE_EXT, 'reuse any existing external files'],
  ['quiesce', Create.QUIESCE, 'quiesce guest\'s file systems'],
  ['atomic', Create.ATOMIC, 'require atomic operation'],
  ['live', Create.LIVE, 'take a live snapshot'],
  ['validate', Create.VALIDATE, 'validate the XML against the schema'],
];

const createFlags = (opts: OptionValues) =>
  flagsOf(opts, [...CREATE_FLAG_OPTIONS, ['no-metadata', Create.NO_METADATA], ['redefine', Create.REDEFINE], ['current', Create.CURRENT]]);

const snapshotCreateAs = domainCommand({
  name: 'snapshot-create-as', group: 'snapshot', help: 'Create a snapshot from a set of args', description: 'Create a snapshot (disk and RAM) from arguments',
  options: [
    { name: 'name', type: 'string', help: 'name of snapshot', positional: true },
    { name: 'description', type: 'string', help: 'description of snapshot', positional: true },
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than create' },
    { name: 'no-metadata', type: 'bool', help: 'take snapshot but create no metadata' },
    ...CREATE_FLAG_OPTIONS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
  ],
}, async (ctx, dom, opts) => {
  const name = opts.get('name') as string | undefined;
  const desc = opts.get('description') as string | undefined;
  const xml = '<domainsnapshot>\n'
    + (name !== undefined ? `  <name>${escapeXml(name)}</name>\n` : '')
    + (desc !== undefined ? `  <description>${escapeXml(desc)}</description>\n` : '')
    + '</domainsnapshot>\n';
  if (opts.has('print-xml')) {
    ctx.print(xml);
    return;
  }
  const snap = await dom.snapshotCreateXML(xml, createFlags(opts));
  ctx.print(`Domain snapshot ${snap.name} created`);
});

const snapshotCreate = domainCommand({
  name: 'snapshot-create', group: 'snapshot', help: 'Create a snapshot from XML', description: 'Create a snapshot (disk and RAM) from XML',
  options: [
    { name: 'xmlfile', type: 'string', help: 'domain snapshot XML', positional: true },
    { name: 'redefine', type: 'bool', help: 'redefine metadata for existing snapshot' },
    { name: 'current', type: 'bool', help: 'with redefine, set current snapshot' },
    { name: 'no-metadata', type: 'bool', help: 'take snapshot but create no metadata' },
    ...CREATE_FLAG_OPTIONS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
  ],
}, async (ctx, dom, opts) => {
  const file = opts.get('xmlfile') as string | undefined;
  const xml = file === undefined ? '<domainsnapshot/>' : await readCommandFile(ctx, file);
  if (xml === null) return false;
  const snap = await dom.snapshotCreateXML(xml, createFlags(opts));
  ctx.print(file === undefined ? `Domain snapshot ${snap.name} created` : `Domain snapshot ${snap.name} created from '${file}'`);
});

const snapshotCurrent = domainCommand({
  name: 'snapshot-current', group: 'snapshot', help: 'Get or set the current snapshot', description: 'Get or set the current snapshot',
  options: [
    { name: 'name', type: 'bool', help: 'list the name, rather than the full xml' },
    { name: 'security-info', type: 'bool', help: 'include security sensitive information in XML dump' },
    { ...SNAPSHOT_OPTION, help: 'name of existing snapshot to make current' },
  ],
}, async (ctx, dom, opts) => {
  if (opts.has('snapshotname')) {
    ctx.error('setting the current snapshot is not supported yet');
    return false;
  }
  if (!(await dom.hasCurrentSnapshot())) {
    ctx.error(`domain '${dom.name}' has no current snapshot`);
    return false;
  }
  const snap = await dom.snapshotCurrent();
  ctx.print(opts.has('name') ? snap.name : await snap.getXMLDesc());
});

const snapshotDumpxml = domainCommand({
  name: 'snapshot-dumpxml', group: 'snapshot', help: 'Dump XML for a domain snapshot', description: 'Snapshot Dump XML',
  options: [
    { ...SNAPSHOT_OPTION, required: true },
    { name: 'security-info', type: 'bool', help: 'include security sensitive information in XML dump' },
  ],
}, async (ctx, dom, opts) => {
  ctx.print(await (await dom.snapshotLookupByName(opts.get('snapshotname') as string)).getXMLDesc());
});

const snapshotInfo = domainCommand({
  name: 'snapshot-info', group: 'snapshot', help: 'snapshot information', description: 'Returns basic information about a snapshot.',
  options: [SNAPSHOT_OPTION, { name: 'current', type: 'bool', help: 'info on current snapshot' }],
}, async (ctx, dom, opts) => {
  const snap = await namedSnapshot(ctx, dom, opts);
  if (!snap) return false;
  const facts = snapshotFacts(await snap.getXMLDesc());
  const row = (label: string, value: string | number) => `${label.padEnd(15)} ${value}\n`;
  const children = await snap.listAllChildren();
  const descendants = await snap.listAllChildren(List.ROOTS /* DESCENDANTS */);
  ctx.print(row('Name:', snap.name) + row('Domain:', dom.name) + row('Current:', (await snap.isCurrent()) ? 'yes' : 'no')
    + row('State:', facts.state) + row('Location:', facts.external ? 'external' : 'internal') + row('Parent:', facts.parent ?? '-')
    + row('Children:', children.length) + row('Descendants:', descendants.length)
    + row('Metadata:', (await snap.hasMetadata()) ? 'yes' : 'no'));
});

const snapshotParent = domainCommand({
  name: 'snapshot-parent', group: 'snapshot', help: 'Get the name of the parent of a snapshot', description: 'Extract the snapshot\'s parent, if any',
  options: [{ ...SNAPSHOT_OPTION, help: 'find parent of snapshot name' }, { name: 'current', type: 'bool', help: 'find parent of current snapshot' }],
}, async (ctx, dom, opts) => {
  const snap = await namedSnapshot(ctx, dom, opts);
  if (!snap) return false;
  ctx.print((await snap.getParent()).name);
});

/** virsh's tree of snapshots: each under its parent, joined by "|" and "+-". */
function snapshotTree(snaps: { name: string; parent?: string }[]): string {
  let out = '';
  const childrenOf = (name: string | undefined) => snaps.filter((s) => s.parent === name);
  const walk = (s: { name: string }, indent: string, root: boolean, last: boolean) => {
    out += `${indent}${root ? '' : '+- '}${s.name}\n`;
    const inner = root ? indent : `${indent}${last ? ' ' : '|'} `;
    const kids = childrenOf(s.name);
    if (kids.length) out += `${inner}  |\n`;
    kids.forEach((k, i) => walk(k, `${inner}  `, false, i === kids.length - 1));
    if (!kids.length && last) out += `${inner}\n`;
  };
  for (const r of childrenOf(undefined)) walk(r, '', true, true);
  return out;
}

const snapshotList = domainCommand({
  name: 'snapshot-list', group: 'snapshot', help: 'List snapshots for a domain', description: 'Snapshot List',
  options: [
    { name: 'parent', type: 'bool', help: 'add a column showing parent snapshot' },
    { name: 'roots', type: 'bool', help: 'list only snapshots without parents' },
    { name: 'leaves', type: 'bool', help: 'list only snapshots without children' },
    { name: 'no-leaves', type: 'bool', help: 'list only snapshots that are not leaves (with children)' },
    { name: 'metadata', type: 'bool', help: 'list only snapshots that have metadata that would prevent undefine' },
    { name: 'no-metadata', type: 'bool', help: 'list only snapshots that have no metadata managed by libvirt' },
    { name: 'inactive', type: 'bool', help: 'filter by snapshots taken while inactive' },
    { name: 'active', type: 'bool', help: 'filter by snapshots taken while active (full system snapshots)' },
    { name: 'disk-only', type: 'bool', help: 'filter by disk-only snapshots' },
    { name: 'internal', type: 'bool', help: 'filter by internal snapshots' },
    { name: 'external', type: 'bool', help: 'filter by external snapshots' },
    { name: 'tree', type: 'bool', help: 'list snapshots in a tree' },
    { name: 'from', type: 'string', help: 'limit list to children of given snapshot' },
    { name: 'current', type: 'bool', help: 'limit list to children of current snapshot' },
    { name: 'descendants', type: 'bool', help: 'with --from, list all descendants' },
    { name: 'name', type: 'bool', help: 'list snapshot names only' },
    { name: 'topological', type: 'bool', help: 'sort list topologically rather than by name' },
  ],
}, async (ctx, dom, opts) => {
  const FILTERS: [string, number][] = [
    ['roots', List.ROOTS], ['leaves', List.LEAVES], ['no-leaves', List.NO_LEAVES], ['metadata', List.METADATA],
    ['no-metadata', List.NO_METADATA], ['inactive', List.INACTIVE], ['active', List.ACTIVE], ['disk-only', List.DISK_ONLY],
    ['internal', List.INTERNAL], ['external', List.EXTERNAL],
  ];
  let flags = flagsOf(opts, FILTERS);
  const from = opts.get('from') as string | undefined;
  if (opts.has('descendants') && from === undefined && !opts.has('current')) {
    ctx.error('--descendants requires either --from or --current');
    return false;
  }
  let snaps: DomainSnapshot[];
  if (from !== undefined || opts.has('current')) {
    const base = from !== undefined ? await dom.snapshotLookupByName(from) : await dom.snapshotCurrent();
    if (opts.has('descendants')) flags |= List.ROOTS;
    snaps = await base.listAllChildren(flags);
  } else {
    snaps = await dom.listAllSnapshots(flags);
  }
  if (!opts.has('topological')) snaps.sort(byName);
  if (opts.has('name')) {
    ctx.print(snaps.map((s) => `${s.name}\n`).join(''));
    return;
  }
  const facts = await Promise.all(snaps.map(async (s) => ({ name: s.name, ...snapshotFacts(await s.getXMLDesc()) })));
  if (opts.has('tree')) {
    ctx.print(snapshotTree(facts));
    return;
  }
  const withParent = opts.has('parent');
  const rows = facts.map((f) => [f.name, snapshotTime(f.creationTime), f.state, ...(withParent ? [f.parent ?? ''] : [])]);
  ctx.print(formatTable(['Name', 'Creation Time', 'State', ...(withParent ? ['Parent'] : [])], rows, ctx.options.quiet));
});

const snapshotRevert = domainCommand({
  name: 'snapshot-revert', group: 'snapshot', help: 'Revert a domain to a snapshot', description: 'Revert domain to snapshot',
  options: [
    SNAPSHOT_OPTION,
    { name: 'current', type: 'bool', help: 'revert to current snapshot' },
    { name: 'running', type: 'bool', help: 'after reverting, change state to running' },
    { name: 'paused', type: 'bool', help: 'after reverting, change state to paused' },
    { name: 'force', type: 'bool', help: 'try harder on risky reverts' },
    { name: 'reset-nvram', type: 'bool', help: 're-initialize NVRAM from its pristine template' },
  ],
}, async (ctx, dom, opts) => {
  const snap = await namedSnapshot(ctx, dom, opts);
  if (!snap) return false;
  await snap.revert(flagsOf(opts, [['running', Revert.RUNNING], ['paused', Revert.PAUSED], ['force', Revert.FORCE], ['reset-nvram', Revert.RESET_NVRAM]]));
  ctx.print(`Domain snapshot ${snap.name} reverted\n`);
});

const snapshotDelete = domainCommand({
  name: 'snapshot-delete', group: 'snapshot', help: 'Delete a domain snapshot', description: 'Snapshot Delete',
  options: [
    SNAPSHOT_OPTION,
    { name: 'current', type: 'bool', help: 'delete current snapshot' },
    { name: 'children', type: 'bool', help: 'delete snapshot and all children' },
    { name: 'children-only', type: 'bool', help: 'delete children but not snapshot' },
    { name: 'metadata', type: 'bool', help: 'delete only libvirt metadata, leaving snapshot contents behind' },
  ],
}, async (ctx, dom, opts) => {
  const snap = await namedSnapshot(ctx, dom, opts);
  if (!snap) return false;
  await snap.delete(flagsOf(opts, [['children', Del.CHILDREN], ['children-only', Del.CHILDREN_ONLY], ['metadata', Del.METADATA_ONLY]]));
  if (opts.has('children')) ctx.print(`Domain snapshot ${snap.name} and all its children deleted\n`);
  else if (opts.has('children-only')) ctx.print(`Domain snapshot ${snap.name} children deleted\n`);
  else ctx.print(`Domain snapshot ${snap.name} deleted\n`);
});

export const snapshotCommands: CommandDef[] = [
  snapshotCreate, snapshotCreateAs, snapshotCurrent, snapshotDumpxml, snapshotInfo, snapshotList, snapshotParent, snapshotRevert, snapshotDelete,
];
