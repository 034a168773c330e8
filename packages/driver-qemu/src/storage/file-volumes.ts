// The volumes of a folder pool: files made, copied, resized, wiped and removed, raw
// ones by the driver itself, qcow2 ones through qemu-img. Every path is the pool's
// folder joined with a checked name, and data is reached only through a path that
// resolves inside the pool.

import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorNumber } from '@tsvirt/core';
import type { StorageVolDef } from '@tsvirt/core/xml';
import { isInside } from './dir-pool.js';
import { imgOption, qemuImg } from './qemu-img.js';
import { invalidArg, invalidOperation, storageError, systemError } from './storage-errors.js';

const FORMATS = new Set(['raw', 'qcow2']);
const ZERO_CHUNK = 1 << 20;

/** The path of volume `name` in the pool folder `dir`: a name is one path component (virStorageBackendVolCreateLocal). */
export function volumePath(dir: string, name: string): string {
  if (name.includes('/')) throw invalidOperation(`volume name '${name}' cannot contain '/'`);
  return path.join(dir, name);
}

/** The real file behind a volume's path, refused when it resolves outside its pool. */
export async function containedFile(dir: string, file: string): Promise<string> {
  const [root, real] = await Promise.all([fs.realpath(dir), fs.realpath(file)]).catch((e: unknown) => {
    throw systemError(`cannot access '${file}'`, e);
  });
  if (!isInside(root, real)) throw invalidOperation(`volume path '${file}' resolves outside its pool`);
  return real;
}

function checkFormat(def: StorageVolDef): string {
  const format = def.format ?? 'raw';
  if (!FORMATS.has(format)) throw storageError(ErrorNumber.CONFIG_UNSUPPORTED, `format '${format}' is not supported for volumes of folder pools (raw, qcow2)`);
  if (def.backingStore && format === 'raw') throw storageError(ErrorNumber.CONFIG_UNSUPPORTED, 'backing storage not supported for raw volumes');
  return format;
}

const modeOf = (def: StorageVolDef) => (def.permissions?.mode ? parseInt(def.permissions.mode, 8) & 0o7777 : 0o600);

async function applyOwner(file: string, def: StorageVolDef): Promise<void> {
  const owner = def.permissions?.owner;
  const group = def.permissions?.group;
  const id = (v: string | undefined) => (v && v !== '-1' ? Number(v) : -1);
  if (id(owner) !== -1 || id(group) !== -1) await fs.chown(file, id(owner), id(group));
}

/** Zeros over [from, to) of an open file, in bounded chunks. */
async function writeZeros(handle: fs.FileHandle, from: number, to: number): Promise<void> {
  const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, Math.max(to - from, 0)));
  for (let at = from; at < to; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, to - at), at);
}

/** Create the file of a new volume; it must not exist (a name of '.' or '..' names the pool or its parent). */
export async function createVolumeFile(file: string, def: StorageVolDef, source?: { file: string; format: string }): Promise<void> {
  const format = checkFormat(def);
  if (await fs.lstat(file).then(() => true, () => false)) throw invalidOperation(`volume target path '${file}' already exists`);
  const backing = def.backingStore;
  if (backing && !(await fs.stat(backing.path).then(() => true, () => false))) {
    throw storageError(ErrorNumber.INTERNAL_ERROR, `inaccessible backing store volume ${backing.path}`);
  }
  try {
    if (source) await cloneInto(file, format, source, backing);
    else if (format === 'raw') await createRaw(file, def);
    else {
      const opts = ['compat=1.1', ...(backing ? [`backing_file=${imgOption(backing.path)}`, `backing_fmt=${imgOption(backing.format ?? 'raw')}`] : [])];
      await qemuImg(['create', '-f', 'qcow2', '-o', opts.join(','), file, String(def.capacity)]);
    }
    await fs.chmod(file, modeOf(def));
    await applyOwner(file, def);
  } catch (e) {
    await fs.rm(file, { force: true });
    throw systemError(`cannot create volume '${file}'`, e);
  }
}

async function createRaw(file: string, def: StorageVolDef): Promise<void> {
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, modeOf(def));
  try {
    await writeZeros(handle, 0, Math.min(def.allocation, def.capacity));
    await handle.truncate(def.capacity);
  } finally {
    await handle.close();
  }
}

async function cloneInto(file: string, format: string, source: { file: string; format: string }, backing: StorageVolDef['backingStore']): Promise<void> {
  const args = ['convert', '-f', source.format, '-O', format];
  if (backing) args.push('-B', backing.path, '-F', backing.format ?? 'raw');
  await qemuImg([...args, source.file, file]);
}

/** The new capacity of a resize, checked as libvirt's storageVolResize does. */
export function resizeTarget(vol: StorageVolDef, capacity: number, delta: boolean, shrink: boolean): number {
  const target = delta ? (shrink ? vol.capacity - Math.min(capacity, vol.capacity) : vol.capacity + capacity) : capacity;
  if (target < vol.allocation) throw invalidArg("can't shrink capacity below existing allocation");
  if (target < vol.capacity && !shrink) {
    throw invalidArg("Can't shrink capacity below current capacity unless shrink flag explicitly specified");
  }
  return target;
}

export async function resizeVolumeFile(real: string, vol: StorageVolDef, capacity: number, allocate: boolean): Promise<void> {
  if (vol.format === 'qcow2') {
    await qemuImg(['resize', '-f', 'qcow2', ...(capacity < vol.capacity ? ['--shrink'] : []), real, String(capacity)]);
    return;
  }
  const handle = await fs.open(real, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    if (allocate && capacity > vol.capacity) await writeZeros(handle, vol.capacity, capacity);
    await handle.truncate(capacity);
  } catch (e) {
    throw systemError(`Failed to truncate volume with path '${real}' to ${capacity} bytes`, e);
  } finally {
    await handle.close();
  }
}

/** Wipe: the whole file becomes zeros (holes), its length kept, as libvirt's zero algorithm on a file. */
export async function wipeVolumeFile(real: string): Promise<void> {
  const handle = await fs.open(real, constants.O_WRONLY | constants.O_NOFOLLOW).catch((e: unknown) => { throw systemError(`Failed to open storage volume with path '${real}'`, e); });
  try {
    const { size } = await handle.stat();
    await handle.truncate(0);
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function deleteVolumeFile(file: string, type: string): Promise<void> {
  const remove = type === 'dir' ? fs.rmdir(file) : fs.unlink(file);
  await remove.catch((e: unknown) => { throw systemError(`cannot unlink file '${file}'`, e); });
}
