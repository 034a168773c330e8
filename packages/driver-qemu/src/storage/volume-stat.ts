// A volume's definition from the file it is: type, sizes, format, owner, times,
// backing store, as libvirt's refresh reports them.

import type { BigIntStats } from 'node:fs';
import { promises as fs } from 'node:fs';
import type { StoragePermissions, StorageTimestamps, StorageVolDef } from '@tsvirt/core/xml';
import { probeImage } from './image-probe.js';

type Owned = { mode: number | bigint; uid: number | bigint; gid: number | bigint };

export const permissionsOf = (st: Owned): StoragePermissions => ({
  mode: (Number(st.mode) & 0o7777).toString(8).padStart(4, '0'), owner: String(st.uid), group: String(st.gid),
});

/** "seconds.nanoseconds", the nanoseconds left out when zero, as libvirt prints a timespec. */
function timespec(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return frac === 0n ? String(sec) : `${sec}.${String(frac).padStart(9, '0')}`;
}

export const timestampsOf = (st: BigIntStats): StorageTimestamps => ({
  atime: timespec(st.atimeNs), mtime: timespec(st.mtimeNs), ctime: timespec(st.ctimeNs), btime: '0',
});

/**
 * The definition of the volume at `file` (already known to be inside its pool), or
 * undefined for what a pool does not list (sockets, devices, vanished files).
 */
export async function statVolume(name: string, file: string): Promise<StorageVolDef | undefined> {
  const st = await fs.stat(file, { bigint: true }).catch(() => undefined);
  if (!st) return undefined;
  const common = { name, key: file, targetPath: file, permissions: permissionsOf(st), timestamps: timestampsOf(st) };
  if (st.isDirectory()) return { ...common, type: 'dir', capacity: 0, allocation: 0, format: 'dir' };
  if (!st.isFile()) return undefined;
  const size = Number(st.size);
  const image = await probeImage(file, size).catch(() => undefined);
  if (!image) return undefined;
  const def: StorageVolDef = {
    ...common, type: 'file', capacity: image.capacity, allocation: Number(st.blocks) * 512, physical: size, format: image.format,
  };
  if (image.backing) {
    const bst = await fs.stat(image.backing.path, { bigint: true }).catch(() => undefined);
    def.backingStore = {
      path: image.backing.path, format: image.backing.format,
      ...(bst ? { permissions: permissionsOf(bst), timestamps: timestampsOf(bst) } : {}),
    };
  }
  return def;
}
