// The storage driver's volume calls: lookups across pools, create and clone, resize,
// wipe, delete, and the byte streams of upload and download.

import { constants, createReadStream, createWriteStream, openSync } from 'node:fs';
import { Duplex, PassThrough, Readable, Transform } from 'node:stream';
import {
  ErrorNumber, StorageVolCreateFlags as C, StorageVolResizeFlags as R, StorageVolType, type StorageVolInfo,
} from '@tsvirt/core';
import type { StoragePoolRef, StorageVolRef } from '@tsvirt/core/driver';
import { formatStorageVolXml, parseStorageVolXml, type StorageVolDef } from '@tsvirt/core/xml';
import {
  containedFile, createVolumeFile, deleteVolumeFile, resizeTarget, resizeVolumeFile, volumePath, wipeVolumeFile,
} from './file-volumes.js';
import { checkFlags, invalidArg, storageError, systemError, volNotFound } from './storage-errors.js';
import type { StoragePoolObj } from './storage-pool-obj.js';
import type { StoragePools } from './storage-pools.js';
import { statVolume } from './volume-stat.js';

const TYPES: Record<string, StorageVolType> = { file: StorageVolType.FILE, block: StorageVolType.BLOCK, dir: StorageVolType.DIR };

/** A descriptor of a volume's real file for a stream; a link put there since the check is not followed. */
function openVolume(real: string, mode: number): number {
  try {
    return openSync(real, mode | constants.O_NOFOLLOW);
  } catch (e) {
    throw systemError(`cannot open volume '${real}'`, e);
  }
}

export class StorageVolumes {
  constructor(private readonly pools: StoragePools) {}

  /** A volume and its (active) pool, by the reference a client hands back. */
  find(ref: StorageVolRef): { pool: StoragePoolObj; vol: StorageVolDef } {
    const pool = this.pools.all().find((p) => p.name === ref.pool && p.active);
    const vol = pool?.volumes.get(ref.name);
    if (!pool || !vol || vol.key !== ref.key) throw volNotFound('key', ref.key);
    return { pool, vol };
  }

  private where(match: (v: StorageVolDef) => boolean): StorageVolRef | undefined {
    for (const p of this.pools.all()) {
      if (!p.active) continue;
      for (const v of p.volumes.values()) if (match(v)) return p.volRef(v);
    }
    return undefined;
  }

  list(ref: StoragePoolRef, flags: number): StorageVolRef[] {
    checkFlags(flags, 0, 'storagePoolListAllVolumes');
    const p = this.pools.active(ref);
    return [...p.volumes.values()].map((v) => p.volRef(v));
  }

  byName(ref: StoragePoolRef, name: string): StorageVolRef {
    const p = this.pools.active(ref);
    const v = p.volumes.get(name);
    if (!v) throw volNotFound('name', name);
    return p.volRef(v);
  }

  byKey(key: string): StorageVolRef {
    const r = this.where((v) => v.key === key);
    if (!r) throw volNotFound('key', key);
    return r;
  }

  byPath(path: string): StorageVolRef {
    const r = this.where((v) => v.targetPath === path);
    if (!r) throw volNotFound('path', path);
    return r;
  }

  info(ref: StorageVolRef): StorageVolInfo {
    const { vol } = this.find(ref);
    return { type: TYPES[vol.type] ?? StorageVolType.FILE, capacity: vol.capacity, allocation: vol.allocation };
  }

  xml(ref: StorageVolRef, flags: number): string {
    checkFlags(flags, 0, 'storageVolGetXMLDesc');
    return formatStorageVolXml(this.find(ref).vol);
  }

  /** Create a volume (or clone one: `from`) in an active pool, then read back what was made. */
  async create(ref: StoragePoolRef, xml: string, flags: number, from?: StorageVolRef): Promise<StorageVolRef> {
    checkFlags(flags, C.PREALLOC_METADATA, from ? 'storageVolCreateXMLFrom' : 'storageVolCreateXML');
    const p = this.pools.active(ref);
    const def = parseStorageVolXml(xml);
    if (p.volumes.has(def.name)) throw storageError(ErrorNumber.STORAGE_VOL_EXIST, `'${def.name}'`);
    const file = volumePath(p.dir, def.name);
    let source: { file: string; format: string } | undefined;
    if (from) {
      const src = this.find(from);
      if (src.vol.type !== 'file') throw invalidArg(`cannot clone volume '${src.vol.name}' of type ${src.vol.type}`);
      source = { file: await containedFile(src.pool.dir, src.vol.targetPath!), format: src.vol.format ?? 'raw' };
      def.format ??= src.vol.format;
    }
    await createVolumeFile(file, def, source);
    const made = await statVolume(def.name, file);
    if (!made) throw storageError(ErrorNumber.INTERNAL_ERROR, `volume '${def.name}' vanished after its creation`);
    p.volumes.set(made.name, made);
    return p.volRef(made);
  }

  /** Read one volume's file again after a change. */
  private async restat(pool: StoragePoolObj, vol: StorageVolDef): Promise<void> {
    const now = await statVolume(vol.name, vol.targetPath!);
    if (now) pool.volumes.set(vol.name, now);
    else pool.volumes.delete(vol.name);
  }

  async delete(ref: StorageVolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'storageVolDelete');
    const { pool, vol } = this.find(ref);
    await deleteVolumeFile(vol.targetPath!, vol.type);
    pool.volumes.delete(vol.name);
  }

  async resize(ref: StorageVolRef, capacity: number, flags: number): Promise<void> {
    checkFlags(flags, R.ALLOCATE | R.DELTA | R.SHRINK, 'storageVolResize');
    const { pool, vol } = this.find(ref);
    const target = resizeTarget(vol, capacity, (flags & R.DELTA) !== 0, (flags & R.SHRINK) !== 0);
    if ((flags & R.ALLOCATE) && target - vol.allocation > pool.sizes.available) {
      throw storageError(ErrorNumber.OPERATION_FAILED, 'Not enough space left in storage pool');
    }
    await resizeVolumeFile(await containedFile(pool.dir, vol.targetPath!), vol, target, (flags & R.ALLOCATE) !== 0);
    await this.restat(pool, vol);
  }

  async wipe(ref: StorageVolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'storageVolWipe');
    const { pool, vol } = this.find(ref);
    await wipeVolumeFile(await containedFile(pool.dir, vol.targetPath!));
    await this.restat(pool, vol);
  }

  /** The volume's bytes from offset on (length 0: to the end), as the read side of a stream. */
  async download(ref: StorageVolRef, offset: number, length: number, flags: number): Promise<Duplex> {
    checkFlags(flags, 0, 'storageVolDownload');
    const { pool, vol } = this.find(ref);
    const real = await containedFile(pool.dir, vol.targetPath!);
    const bytes = createReadStream('', { fd: openVolume(real, constants.O_RDONLY), start: offset, ...(length ? { end: offset + length - 1 } : {}) });
    return Duplex.from({ readable: bytes, writable: new PassThrough().resume() });
  }

  /** A stream whose bytes are written into the volume from offset on (at most length, 0: no bound). */
  async upload(ref: StorageVolRef, offset: number, length: number, flags: number): Promise<Duplex> {
    checkFlags(flags, 0, 'storageVolUpload');
    const { pool, vol } = this.find(ref);
    const real = await containedFile(pool.dir, vol.targetPath!);
    const file = createWriteStream('', { fd: openVolume(real, constants.O_WRONLY), start: offset });
    let written = 0;
    const bounded = new Transform({
      transform(chunk: Buffer, _enc, done) {
        written += chunk.length;
        if (length && written > length) done(invalidArg(`stream wrote more than the ${length} bytes asked for`));
        else done(null, chunk);
      },
    });
    bounded.pipe(file);
    file.on('close', () => { void this.restat(pool, vol); });
    return Duplex.from({ readable: Readable.from([]), writable: bounded });
  }
}
