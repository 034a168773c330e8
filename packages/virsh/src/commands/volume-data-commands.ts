// virsh's commands that change a volume's size or bytes, or copy it: vol-resize,
// vol-wipe, vol-clone, vol-upload, vol-download, with libvirt's options and words.

import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { StorageVolResizeFlags as R, StorageVolCreateFlags as C, type StorageVol } from '@tsvirt/core';
import { escapeXml } from '@tsvirt/core/xml';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { objectActionCommand } from './object-commands.js';
import { findVol, scaledSize } from './volume-commands.js';

const G = 'volume';
const VOL_ARG: OptionDef = { name: 'vol', type: 'string', help: 'vol name, key or path', required: true, positional: true };
const POOL_OPTION: OptionDef = { name: 'pool', type: 'string', help: 'pool name or uuid' };
const FILE_ARG: OptionDef = { name: 'file', type: 'string', help: 'file', required: true, positional: true };
const volText = (opts: OptionValues) => opts.get('vol') as string;

const volResize: CommandDef = {
  name: 'vol-resize', group: G, help: 'resize a vol',
  description: 'Resizes a storage volume. This is safe only for storage volumes not in use by an active guest.\nSee blockresize for live resizing.',
  options: [
    VOL_ARG,
    { name: 'capacity', type: 'string', help: 'new capacity for the vol, as scaled integer (default bytes)', required: true, positional: true },
    POOL_OPTION,
    { name: 'allocate', type: 'bool', help: 'allocate the new capacity, rather than leaving it sparse' },
    { name: 'delta', type: 'bool', help: 'use capacity as a delta to current size, rather than the new size' },
    { name: 'shrink', type: 'bool', help: 'allow the resize to shrink the volume' },
  ],
  async run(ctx, opts) {
    let text = (opts.get('capacity') as string).trimStart();
    const shrink = opts.has('shrink');
    // the API takes a positive size; virsh allows a negative one with --shrink, for convenience
    if (text.startsWith('-')) {
      if (!shrink) {
        ctx.error('negative size requires --shrink');
        return false;
      }
      text = text.slice(1);
    }
    const capacity = scaledSize(ctx, text);
    if (capacity === null) return false;
    const vol = await findVol(ctx, opts);
    if (!vol) return false;
    const flags = (opts.has('allocate') ? R.ALLOCATE : 0) | (opts.has('delta') ? R.DELTA : 0) | (shrink ? R.SHRINK : 0);
    const shown = opts.get('capacity') as string;
    try {
      await vol.resize(capacity, flags);
    } catch (e) {
      ctx.error(opts.has('delta') ? `Failed to change size of volume '${vol.name}' by ${shown}` : `Failed to change size of volume '${vol.name}' to ${shown}`);
      ctx.reportError(e);
      return false;
    }
    ctx.print(opts.has('delta') ? `Size of volume '${vol.name}' successfully changed by ${shown}\n` : `Size of volume '${vol.name}' successfully changed to ${shown}\n`);
    return true;
  },
};

const volWipe = objectActionCommand(
  {
    name: 'vol-wipe', group: G, help: 'wipe a vol', description: 'Ensure data previously on a volume is not accessible to future reads',
    options: [VOL_ARG, POOL_OPTION, { name: 'algorithm', type: 'string', help: 'perform selected wiping algorithm' }],
  },
  findVol,
  async (v, opts) => {
    // zero is the one algorithm the drivers know: the others fail as libvirt's drivers without scrub do
    const algorithm = opts.get('algorithm') as string | undefined;
    if (algorithm !== undefined && algorithm !== 'zero') throw new Error(`Unsupported algorithm '${algorithm}'`);
    await v.wipe();
  },
  (_v, opts) => `Vol ${volText(opts)} wiped`, (_v, opts) => `Failed to wipe vol ${volText(opts)}`,
);

/** The XML of a clone: the source's, renamed, without its key and path (virsh's vol-clone). */
function cloneXml(sourceXml: string, name: string): string {
  return sourceXml
    .replace(/<name>[^<]*<\/name>/, `<name>${escapeXml(name)}</name>`)
    .replace(/ *<key>[^<]*<\/key>\n/, '')
    .replace(/(<target>\n) *<path>[^<]*<\/path>\n/, '$1');
}

const volClone: CommandDef = {
  name: 'vol-clone', group: G, help: 'clone a volume.', description: 'Clone an existing volume within the parent pool.',
  options: [
    VOL_ARG,
    { name: 'newname', type: 'string', help: 'clone name', required: true, positional: true },
    POOL_OPTION,
    { name: 'prealloc-metadata', type: 'bool', help: 'preallocate metadata (for qcow2 instead of full allocation)' },
    { name: 'reflink', type: 'bool', help: 'use btrfs COW lightweight copy' },
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than clone the volume' },
  ],
  async run(ctx, opts) {
    const vol = await findVol(ctx, opts);
    if (!vol) return false;
    const conn = (await ctx.connection())!;
    const newname = opts.get('newname') as string;
    try {
      const pool = await conn.lookupStoragePoolByName(vol.pool);
      const xml = cloneXml(await vol.getXMLDesc(), newname);
      if (opts.has('print-xml')) {
        ctx.print(xml);
        return true;
      }
      const flags = (opts.has('prealloc-metadata') ? C.PREALLOC_METADATA : 0) | (opts.has('reflink') ? C.REFLINK : 0);
      await pool.createVolumeXMLFrom(xml, vol, flags);
    } catch (e) {
      ctx.error(`Failed to clone vol from ${vol.name}`);
      ctx.reportError(e);
      return false;
    }
    ctx.print(`Vol ${newname} cloned from ${vol.name}\n`);
    return true;
  },
};

const offsetOptions = (what: string): OptionDef[] => [
  { name: 'offset', type: 'int', help: `volume offset to ${what}` },
  { name: 'length', type: 'int', help: `amount of data to ${what === 'upload to' ? 'upload' : 'download'}` },
  { name: 'sparse', type: 'bool', help: 'preserve sparseness of volume' },
];

/** An --offset or --length: a non-negative integer, 0 when absent. */
function byteCount(ctx: VirshContext, opts: OptionValues, name: string): number | null {
  const text = opts.get(name) as string | undefined;
  if (text === undefined) return 0;
  if (/^\d+$/.test(text)) return Number(text);
  ctx.error(`Unable to parse integer parameter to --${name}`);
  return null;
}

/** vol-upload and vol-download: the file's bytes into the volume's stream, or the stream's into the file. */
function transferCommand(name: string, help: string, description: string, upload: boolean): CommandDef {
  return {
    name, group: G, help, description,
    options: [VOL_ARG, FILE_ARG, POOL_OPTION, ...offsetOptions(upload ? 'upload to' : 'download from')],
    async run(ctx, opts) {
      const offset = byteCount(ctx, opts, 'offset');
      const length = byteCount(ctx, opts, 'length');
      if (offset === null || length === null) return false;
      const vol: StorageVol | null = await findVol(ctx, opts);
      if (!vol) return false;
      const file = opts.get('file') as string;
      try {
        if (upload) await pipeline(createReadStream(file), await vol.upload(offset, length));
        else await pipeline(await vol.download(offset, length), createWriteStream(file));
      } catch (e) {
        ctx.error(upload ? `cannot upload to volume ${vol.name}` : `cannot download from volume ${vol.name}`);
        ctx.reportError(e);
        return false;
      }
      return true;
    },
  };
}

export const volumeDataCommands: CommandDef[] = [
  volClone,
  transferCommand('vol-download', 'download volume contents to a file', 'Download volume contents to a file', false),
  volResize,
  transferCommand('vol-upload', 'upload file contents to a volume', 'Upload file contents to a volume', true),
  volWipe,
];
