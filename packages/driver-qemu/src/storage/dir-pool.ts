// The backend of pools of type 'dir': a folder of the host whose entries are the volumes.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorNumber } from '@tsvirt/core';
import type { StoragePoolDef, StorageVolDef } from '@tsvirt/core/xml';
import { storageError, systemError } from './storage-errors.js';
import { statVolume } from './volume-stat.js';

/** libvirt's mode for a folder that pool-build creates when the XML names none. */
const DEFAULT_POOL_MODE = 0o711;

/** A pool's target path: required, absolute, without repeated or trailing slashes (virFileSanitizePath). */
export function checkTargetPath(def: StoragePoolDef): void {
  const p = def.targetPath;
  if (!p) throw storageError(ErrorNumber.XML_ERROR, 'missing storage pool target path');
  if (!path.isAbsolute(p)) throw storageError(ErrorNumber.XML_ERROR, `pool target path '${p}' must be absolute`);
  def.targetPath = p.length > 1 ? p.replace(/\/+/g, '/').replace(/\/$/, '') : p;
}

/** pool-build: create the folder with the XML's mode, owner and group. */
export async function buildDir(def: StoragePoolDef): Promise<void> {
  const dir = def.targetPath!;
  const mode = def.permissions?.mode ? parseInt(def.permissions.mode, 8) : DEFAULT_POOL_MODE;
  try {
    await fs.mkdir(dir, { recursive: true, mode });
    await fs.chmod(dir, mode);
    const owner = def.permissions?.owner;
    const group = def.permissions?.group;
    if ((owner && owner !== '-1') || (group && group !== '-1')) {
      await fs.chown(dir, owner && owner !== '-1' ? Number(owner) : -1, group && group !== '-1' ? Number(group) : -1);
    }
  } catch (e) {
    throw systemError(`cannot create path '${dir}'`, e);
  }
}

/** pool-delete: remove the (empty) folder. */
export async function deleteDir(def: StoragePoolDef): Promise<void> {
  await fs.rmdir(def.targetPath!).catch((e: unknown) => { throw systemError(`failed to remove pool '${def.targetPath}'`, e); });
}

/**
 * The pool's volumes: every regular file and folder in it, and every symbolic link
 * that resolves to one inside the pool. A link out of the pool is not a volume: the
 * daemon is root, and a volume's bytes are read, written and wiped through its path.
 */
export async function scanDir(dir: string): Promise<Map<string, StorageVolDef>> {
  const entries = await fs.readdir(dir).catch((e: unknown) => { throw systemError(`cannot open directory '${dir}'`, e); });
  const root = await fs.realpath(dir);
  const vols = new Map<string, StorageVolDef>();
  await Promise.all(entries.map(async (name) => {
    const file = path.join(dir, name);
    const real = await fs.realpath(file).catch(() => undefined);
    if (!real || !isInside(root, real)) return;
    const vol = await statVolume(name, file);
    if (vol) vols.set(name, vol);
  }));
  return new Map([...vols].sort(([a], [b]) => a.localeCompare(b)));
}

export const isInside = (root: string, real: string) => path.dirname(real) === root || real.startsWith(`${root}/`);

/** The file system's capacity, allocation and free space under the pool, as statvfs reports them. */
export async function dirSizes(dir: string): Promise<{ capacity: number; allocation: number; available: number }> {
  const st = await fs.statfs(dir);
  return { capacity: st.blocks * st.bsize, allocation: (st.blocks - st.bfree) * st.bsize, available: st.bavail * st.bsize };
}
