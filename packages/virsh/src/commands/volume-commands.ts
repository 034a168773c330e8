import type { StoragePool, StorageVol } from '@tsvirt/core';
import { escapeXml } from '@tsvirt/core/xml';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import { prettyCapacity } from '../output/pretty-capacity.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { readCommandFile } from './domain-lifecycle-commands.js';
import { byName, listOrReport, objectActionCommand, objectPrintCommand } from './object-commands.js';
import { infoLine } from './object-lookup.js';
import { commandPool, findPool } from './pool-lookup.js';

const G = 'volume';
const POOL_ARG: OptionDef = { name: 'pool', type: 'string', help: 'pool name', required: true, positional: true };
const POOL_OPTION: OptionDef = { name: 'pool', type: 'string', help: 'pool name or uuid' };
const volArg = (help: string): OptionDef => ({ name: 'vol', type: 'string', help, required: true, positional: true });
const VOL_ARG = volArg('vol name, key or path');

/**
 * The volume a command names, as virsh finds it: with --pool (for a command that has
 * that option), by name in that active pool first; then by key, then by path. A miss is
 * reported with the last lookup's error, and a hint at --pool where it could have helped.
 */
function volumeFinder(hasPoolOption = true) {
  return async (ctx: VirshContext, opts: OptionValues): Promise<StorageVol | null> => {
    const conn = await ctx.connection();
    if (!conn) return null;
    const text = opts.get('vol') as string;
    let pool: StoragePool | null = null;
    if (opts.has('pool')) {
      pool = await commandPool(ctx, opts);
      if (!pool) return null;
      if (!(await pool.isActive())) {
        ctx.error(`pool '${pool.name}' is not active`);
        return null;
      }
    }
    let last: unknown;
    const attempts: (() => Promise<StorageVol>)[] = [];
    if (pool) attempts.push(() => pool.lookupVolumeByName(text));
    attempts.push(() => conn.lookupStorageVolByKey(text), () => conn.lookupStorageVolByPath(text));
    for (const attempt of attempts) {
      try { return await attempt(); } catch (e) { last = e; }
    }
    ctx.error(pool || !hasPoolOption ? `failed to get vol '${text}'` : `failed to get vol '${text}', specifying --pool might help`);
    ctx.reportError(last);
    return null;
  };
}
export const findVol = volumeFinder();

/** A size argument as virsh reads it: a number with an optional unit, bytes by default. */
const SCALE: Record<string, number> = {
  '': 1, b: 1, byte: 1, bytes: 1, k: 1024, kib: 1024, kb: 1e3, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12, p: 1024 ** 5, pib: 1024 ** 5, pb: 1e15,
  e: 1024 ** 6, eib: 1024 ** 6, eb: 1e18,
};
export function scaledSize(ctx: VirshContext, text: string): number | null {
  const m = /^(\d+)(.*)$/.exec(text);
  const scale = m ? SCALE[m[2].toLowerCase()] : undefined;
  if (m && scale !== undefined) return Number(m[1]) * scale;
  ctx.error(`Malformed size ${text}`);
  if (m) ctx.error(`invalid argument: unknown suffix '${m[2]}'`);
  return null;
}

const volCreateAs: CommandDef = {
  name: 'vol-create-as', group: G, help: 'create a volume from a set of args', description: 'Create a vol.',
  options: [
    POOL_ARG,
    { name: 'name', type: 'string', help: 'name of the volume', required: true, positional: true },
    { name: 'capacity', type: 'string', help: 'size of the vol, as scaled integer (default bytes)', required: true, positional: true },
    { name: 'allocation', type: 'string', help: 'initial allocation size, as scaled integer (default bytes)', emptyOk: true },
    { name: 'format', type: 'string', help: 'file format type raw,bochs,qcow,qcow2,qed,vmdk' },
    { name: 'backing-vol', type: 'string', help: 'the backing volume if taking a snapshot' },
    { name: 'backing-vol-format', type: 'string', help: 'format of backing volume if taking a snapshot' },
    { name: 'prealloc-metadata', type: 'bool', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    { name: 'print-xml', type: 'bool', help: "print XML document, but don't define/create" },
  ],
  async run(ctx, opts) {
    const pool = await findPool(ctx, opts);
    if (!pool) return false;
    const name = opts.get('name') as string;
    const sizes: [string, number][] = [];
    for (const opt of ['capacity', 'allocation']) {
      const text = opts.get(opt) as string | undefined;
      if (text === undefined) continue;
      const bytes = scaledSize(ctx, text);
      if (bytes === null) return false;
      sizes.push([opt, bytes]);
    }
    const format = opts.get('format') as string | undefined;
    let xml = `<volume>\n  <name>${escapeXml(name)}</name>\n`;
    for (const [el, bytes] of sizes) xml += `  <${el}>${bytes}</${el}>\n`;
    if (format) xml += `  <target>\n    <format type='${escapeXml(format)}'/>\n  </target>\n`;
    // a snapshot of another volume of the pool (its format alone means nothing, as in virsh)
    const backingName = opts.get('backing-vol') as string | undefined;
    const backingFormat = opts.get('backing-vol-format') as string | undefined;
    if (backingName !== undefined) {
      const backing = await findVol(ctx, new Map([['vol', backingName], ['pool', pool.name]]));
      if (!backing) return false;
      xml += `  <backingStore>\n    <path>${escapeXml(backing.path)}</path>\n`
        + `${backingFormat ? `    <format type='${escapeXml(backingFormat)}'/>\n` : ''}  </backingStore>\n`;
    }
    xml += '</volume>\n';
    if (opts.has('print-xml')) { ctx.print(xml); return true; }
    try {
      // libvirt's VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA
      await pool.createVolumeXML(xml, opts.has('prealloc-metadata') ? 1 : 0);
    } catch (e) {
      ctx.error(`Failed to create vol ${name}`);
      ctx.reportError(e);
      return false;
    }
    ctx.print(`Vol ${name} created\n`);
    return true;
  },
};

const volCreate: CommandDef = {
  name: 'vol-create', group: G, help: 'create a vol from an XML file', description: 'Create a vol.',
  options: [
    POOL_ARG,
    { name: 'file', type: 'string', help: 'file containing an XML vol description', required: true, positional: true },
    { name: 'prealloc-metadata', type: 'bool', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
  ],
  async run(ctx, opts) {
    const pool = await findPool(ctx, opts);
    if (!pool) return false;
    const file = opts.get('file') as string;
    const xml = await readCommandFile(ctx, file);
    if (xml === null) return false;
    try {
      const vol = await pool.createVolumeXML(xml);
      ctx.print(`Vol ${vol.name} created from ${file}\n`);
      return true;
    } catch (e) {
      ctx.error(`Failed to create vol from ${file}`);
      ctx.reportError(e);
      return false;
    }
  },
};

const volList: CommandDef = {
  name: 'vol-list', group: G, help: 'list vols', description: 'Returns list of vols by pool.',
  options: [{ ...POOL_ARG, help: 'pool name or uuid' }, { name: 'details', type: 'bool', help: 'display extended details for volumes' }],
  async run(ctx, opts) {
    const pool = await findPool(ctx, opts);
    if (!pool) return false;
    const vols = await listOrReport(ctx, 'volumes', () => pool.listAllVolumes());
    if (!vols) return false;
    vols.sort(byName);
    if (!opts.has('details')) {
      ctx.print(formatTable(['Name', 'Path'], vols.map((v) => [v.name, v.path]), ctx.options.quiet));
      return true;
    }
    const rows = await Promise.all(vols.map(async (v) => {
      const info = await v.getInfo();
      return [v.name, v.path, VOL_TYPES[info.type] ?? 'unknown', prettyCapacity(info.capacity), prettyCapacity(info.allocation)];
    }));
    ctx.print(formatTable(['Name', 'Path', 'Type', 'Capacity', 'Allocation'], rows, ctx.options.quiet));
    return true;
  },
};

/** virsh's words for volume types (virStorageVolType). */
const VOL_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'];

const volInfo = objectPrintCommand(
  {
    name: 'vol-info', group: G, help: 'storage vol information', description: 'Returns basic information about the storage vol.',
    options: [
      VOL_ARG, POOL_OPTION,
      { name: 'bytes', type: 'bool', help: 'sizes are represented in bytes rather than pretty units' },
      { name: 'physical', type: 'bool', help: 'return the physical size of the volume in allocation field' },
    ],
  },
  findVol,
  async (v, opts) => {
    const info = await v.getInfo();
    const size = (b: number) => (opts.has('bytes') ? `${b} bytes` : prettyCapacity(b));
    return infoLine('Name:', v.name) + infoLine('Type:', VOL_TYPES[info.type] ?? 'unknown')
      + infoLine('Capacity:', size(info.capacity)) + infoLine('Allocation:', size(info.allocation));
  },
);

const volDumpxml = objectPrintCommand(
  {
    name: 'vol-dumpxml', group: G, help: 'vol information in XML', description: 'Output the vol information as an XML dump to stdout.',
    options: [
      VOL_ARG, POOL_OPTION,
    ],
  },
  findVol, (v) => v.getXMLDesc(),
);

const volDelete = objectActionCommand(
  {
    name: 'vol-delete', group: G, help: 'delete a vol', description: 'Delete a given vol.',
    options: [VOL_ARG, POOL_OPTION, { name: 'delete-snapshots', type: 'bool', help: 'delete snapshots associated with volume (must be supported by storage driver)' }],
  },
  findVol, (v, opts) => v.delete(opts.has('delete-snapshots') ? 2 : 0),
  (_v, opts) => `Vol ${opts.get('vol') as string} deleted`, (_v, opts) => `Failed to delete vol ${opts.get('vol') as string}`,
);

/** vol-path, vol-name, vol-key: one way of naming a volume turned into another. */
function volConvert(name: string, help: string, argHelp: string, withPool: boolean, show: (v: StorageVol) => string): CommandDef {
  return objectPrintCommand({ name, group: G, help, description: '', options: [volArg(argHelp), ...(withPool ? [POOL_OPTION] : [])] },
    volumeFinder(withPool), async (v) => `${show(v)}\n`);
}

const volPool = objectPrintCommand(
  {
    name: 'vol-pool', group: G, help: 'returns the storage pool for a given volume key or path', description: '',
    options: [volArg('volume key or path'), { name: 'uuid', type: 'bool', help: 'return the pool uuid rather than pool name' }],
  },
  volumeFinder(false),
  async (v, opts, ctx) => {
    if (!opts.has('uuid')) return `${v.pool}\n`;
    const conn = await ctx.connection();
    return `${(await conn!.lookupStoragePoolByName(v.pool)).uuid}\n`;
  },
);

export const volumeCommands: CommandDef[] = [
  volCreateAs,
  volCreate,
  volDelete,
  volDumpxml,
  volInfo,
  volConvert('vol-key', 'returns the volume key for a given volume name or path', 'volume name or path', true, (v) => v.key),
  volList,
  volConvert('vol-name', 'returns the volume name for a given volume key or path', 'volume key or path', false, (v) => v.name),
  volConvert('vol-path', 'returns the volume path for a given volume name or key', 'volume name or key', true, (v) => v.path),
  volPool,
];
