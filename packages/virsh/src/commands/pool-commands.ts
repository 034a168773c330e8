import { ConnectListAllStoragePoolsFlags as L, StoragePoolBuildFlags, StoragePoolState, type StoragePool } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import { prettyCapacity } from '../output/pretty-capacity.js';
import { formatTable } from '../output/vsh-table.js';
import { byName, fromFileCommand, listFlags, listOrReport, objectActionCommand, objectPrintCommand } from './object-commands.js';
import { infoLine, yesNo } from './object-lookup.js';
import { commandPool, findPool } from './pool-lookup.js';

const G = 'pool';
const POOL_OPTION: OptionDef = { name: 'pool', type: 'string', help: 'pool name or uuid', required: true, positional: true };
const BUILD_OPTIONS: OptionDef[] = [
  { name: 'build', type: 'bool', help: 'build the pool as normal' },
  { name: 'no-overwrite', type: 'bool', help: 'do not overwrite any existing data' },
  { name: 'overwrite', type: 'bool', help: 'overwrite any existing data' },
];
const FILE_OPTION: OptionDef = { name: 'file', type: 'string', help: 'file containing an XML pool description', required: true, positional: true };

/** virsh's words for a pool's state (virStoragePoolState). */
const STATE_TEXT: Record<number, string> = {
  [StoragePoolState.INACTIVE]: 'inactive', [StoragePoolState.BUILDING]: 'building', [StoragePoolState.RUNNING]: 'running',
  [StoragePoolState.DEGRADED]: 'degraded', [StoragePoolState.INACCESSIBLE]: 'inaccessible',
};
const hasSizes = (state: number) => state === StoragePoolState.RUNNING || state === StoragePoolState.DEGRADED;

function poolAction(name: string, help: string, description: string, options: OptionDef[], act: (p: StoragePool, opts: OptionValues) => Promise<void>, done: string, failed: string): CommandDef {
  return objectActionCommand({ name, group: G, help, description, options }, findPool, act, (p) => `Pool ${p.name} ${done}`, (p) => `${failed} ${p.name}`);
}

const LIST_FILTERS: [string, number, string][] = [
  ['inactive', L.INACTIVE, 'list inactive pools'],
  ['all', L.INACTIVE | L.ACTIVE, 'list inactive & active pools'],
  ['transient', L.TRANSIENT, 'list transient pools'],
  ['persistent', L.PERSISTENT, 'list persistent pools'],
  ['autostart', L.AUTOSTART, 'list pools with autostart enabled'],
  ['no-autostart', L.NO_AUTOSTART, 'list pools with autostart disabled'],
];

/** The pool-type filter bits of `--type dir,fs`. */
function typeFlags(types: string | undefined): number {
  let bits = 0;
  for (const t of types?.split(',') ?? []) bits |= (L as Record<string, number>)[t.trim().toUpperCase().replace('-', '_')] ?? 0;
  return bits;
}

const poolList: CommandDef = {
  name: 'pool-list', group: G, help: 'list pools', description: 'Returns list of pools.',
  options: [
    ...LIST_FILTERS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
    { name: 'type', type: 'string', help: 'only list pool of specified type(s) (if supported)' },
    { name: 'details', type: 'bool', help: 'display extended details for pools' },
    { name: 'uuid', type: 'bool', help: 'list UUID of active pools only' },
    { name: 'name', type: 'bool', help: 'list name of active pools only' },
  ],
  async run(ctx, opts) {
    for (const other of ['name', 'uuid']) {
      if (opts.has('details') && opts.has(other)) { ctx.error(`Options --details and --${other} are mutually exclusive`); return false; }
    }
    const conn = await ctx.connection();
    if (!conn) return false;
    const flags = listFlags(opts, LIST_FILTERS, L.ACTIVE, L.INACTIVE) | typeFlags(opts.get('type') as string | undefined);
    const pools = await listOrReport(ctx, 'pools', () => conn.listAllStoragePools(flags));
    if (!pools) return false;
    pools.sort(byName);
    // virsh pads these columns to its fixed widths
    if (opts.has('name') || opts.has('uuid')) {
      const cols = (p: StoragePool) => [opts.has('uuid') ? p.uuid.padEnd(36) : '', opts.has('name') ? p.name.padEnd(20) : ''].filter(Boolean).join(' ');
      ctx.print(pools.map((p) => `${cols(p)}\n`).join(''));
      return true;
    }
    const details = opts.has('details');
    const rows = await Promise.all(pools.map(async (p) => {
      const info = await p.getInfo();
      const autostart = await p.getAutostart().then(yesNo, () => 'no autostart');
      if (!details) return [p.name, info.state === StoragePoolState.INACTIVE ? 'inactive' : 'active', autostart];
      const sizes = hasSizes(info.state) ? [info.capacity, info.allocation, info.available].map((b) => prettyCapacity(b)) : ['-', '-', '-'];
      return [p.name, STATE_TEXT[info.state] ?? 'unknown', autostart, yesNo(await p.isPersistent()), ...sizes];
    }));
    const header = details ? ['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available'] : ['Name', 'State', 'Autostart'];
    ctx.print(formatTable(header, rows, ctx.options.quiet));
    return true;
  },
};

const poolInfo = objectPrintCommand(
  {
    name: 'pool-info', group: G, help: 'storage pool information', description: 'Returns basic information about the storage pool.',
    options: [POOL_OPTION, { name: 'bytes', type: 'bool', help: 'Return pool info in bytes' }],
  },
  findPool,
  async (p, opts) => {
    const info = await p.getInfo();
    let s = infoLine('Name:', p.name) + infoLine('UUID:', p.uuid) + infoLine('State:', STATE_TEXT[info.state] ?? 'unknown');
    s += infoLine('Persistent:', await p.isPersistent().then(yesNo, () => 'unknown'));
    s += infoLine('Autostart:', await p.getAutostart().then(yesNo, () => 'no autostart'));
    if (hasSizes(info.state)) {
      // --bytes prints the bare number here, unlike vol-info
      const size = (b: number) => (opts.has('bytes') ? String(b) : prettyCapacity(b));
      s += infoLine('Capacity:', size(info.capacity)) + infoLine('Allocation:', size(info.allocation)) + infoLine('Available:', size(info.available));
    }
    return s;
  },
);

const poolDumpxml = objectPrintCommand(
  {
    name: 'pool-dumpxml', group: G, help: 'pool information in XML', description: 'Output the pool information as an XML dump to stdout.',
    options: [
      POOL_OPTION,
      { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
    ],
  },
  findPool, (p, opts) => p.getXMLDesc(opts.has('inactive') ? 1 : 0),
);

const poolAutostart = objectActionCommand(
  {
    name: 'pool-autostart', group: G, help: 'autostart a pool', description: 'Configure a pool to be automatically started at boot.',
    options: [POOL_OPTION, { name: 'disable', type: 'bool', help: 'disable autostarting' }],
  },
  findPool, (p, opts) => p.setAutostart(!opts.has('disable')),
  (p, opts) => `Pool ${p.name} ${opts.has('disable') ? 'unmarked' : 'marked'} as autostarted`,
  (p, opts) => `failed to ${opts.has('disable') ? 'unmark' : 'mark'} pool ${p.name} as autostarted`,
);

export const poolCommands: CommandDef[] = [
  poolAutostart,
  fromFileCommand({ name: 'pool-create', group: G, help: 'create a pool from an XML file', description: 'Create a pool.', options: [FILE_OPTION, ...BUILD_OPTIONS] },
    (c, xml) => c.createStoragePoolXML(xml), (p, file) => `Pool ${p.name} created from ${file}`, (file) => `Failed to create pool from ${file}`),
  fromFileCommand({
    name: 'pool-define', group: G, help: 'define an inactive persistent storage pool or modify an existing persistent one from an XML file',
    description: 'Define or modify a persistent storage pool.', options: [FILE_OPTION, { name: 'validate', type: 'bool', help: 'validate the XML against the schema' }],
  }, (c, xml) => c.defineStoragePoolXML(xml), (p, file) => `Pool ${p.name} defined from ${file}`, (file) => `Failed to define pool from ${file}`),
  poolAction('pool-build', 'build a pool', 'Build a given pool.', [POOL_OPTION, ...BUILD_OPTIONS.slice(1)],
    (p, opts) => p.build((opts.has('no-overwrite') ? StoragePoolBuildFlags.NO_OVERWRITE : 0) | (opts.has('overwrite') ? StoragePoolBuildFlags.OVERWRITE : 0)),
    'built', 'Failed to build pool'),
  poolAction('pool-delete', 'delete a pool', 'Delete a given pool.', [POOL_OPTION], (p) => p.delete(), 'deleted', 'Failed to delete pool'),
  poolAction('pool-destroy', 'destroy (stop) a pool', 'Forcefully stop a given pool. Raw data in the pool is untouched', [POOL_OPTION], (p) => p.destroy(), 'destroyed', 'Failed to destroy pool'),
  poolDumpxml,
  poolInfo,
  poolList,
  objectPrintCommand({ name: 'pool-name', group: G, help: 'convert a pool UUID to pool name', description: '', options: [POOL_OPTION] },
    (ctx, opts) => commandPool(ctx, opts, 'pool', { uuid: true, name: false }), async (p) => `${p.name}\n`),
  poolAction('pool-refresh', 'refresh a pool', 'Refresh a given pool.', [POOL_OPTION], (p) => p.refresh(), 'refreshed', 'Failed to refresh pool'),
  poolAction('pool-start', 'start a (previously defined) inactive pool', 'Start a pool.', [POOL_OPTION, ...BUILD_OPTIONS], (p) => p.create(), 'started', 'Failed to start pool'),
  poolAction('pool-undefine', 'undefine an inactive pool', 'Undefine the configuration for an inactive pool.', [POOL_OPTION], (p) => p.undefine(), 'has been undefined', 'Failed to undefine pool'),
  objectPrintCommand({ name: 'pool-uuid', group: G, help: 'convert a pool name to pool UUID', description: '', options: [POOL_OPTION] },
    (ctx, opts) => commandPool(ctx, opts, 'pool', { uuid: false, name: true }), async (p) => `${p.uuid}\n`),
];
