// The backend of pools of type 'fs': a file system on a block device (or an image file,
// which mount attaches to a loop device), mounted on the pool's folder while the pool is
// active; its volumes are the folder's entries, as in a 'dir' pool.

import { readFile } from 'node:fs/promises';
import { ErrorDomain, ErrorNumber, StoragePoolBuildFlags as B } from '@tsvirt/core';
import type { StoragePoolDef } from '@tsvirt/core/xml';
import { hostCommand } from '../network/host-command.js';
import { invalidOperation, storageError } from './storage-errors.js';

const run = (cmd: string, args: string[], what: string) => hostCommand(cmd, args, what, undefined, ErrorDomain.STORAGE);

/** The source device and file system type of an fs pool ('auto': mount finds out). */
export function fsSource(def: StoragePoolDef): { device: string; format: string } {
  const device = def.source.find((e) => e.name === 'device')?.attrs.path;
  if (!device) throw storageError(ErrorNumber.XML_ERROR, 'missing storage pool source device path');
  const format = def.source.find((e) => e.name === 'format')?.attrs.type ?? 'auto';
  if (!/^[a-z0-9]+$/.test(format)) throw storageError(ErrorNumber.XML_ERROR, `unknown storage pool source format '${format}'`);
  return { device, format };
}

/** Whether `target` is a mount point now (/proc/self/mounts, octal escapes undone). */
async function isMounted(target: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return mounts.split('\n').some((line) => unescape(line.split(' ')[1] ?? '') === target);
}

/** The file system type blkid finds on `device`, or undefined for none. */
async function probeFileSystem(device: string): Promise<string | undefined> {
  return run('blkid', ['-o', 'value', '-s', 'TYPE', '-p', device], `cannot probe '${device}'`)
    .then((out) => out.trim() || undefined, () => undefined);
}

/** pool-build --overwrite / --no-overwrite: a new file system on the device (refused over an existing one without --overwrite). */
export async function makeFileSystem(def: StoragePoolDef, flags: number): Promise<void> {
  const { device, format } = fsSource(def);
  if (format === 'auto') throw invalidOperation('No source format given to make a file system with');
  if (flags & B.NO_OVERWRITE) {
    const existing = await probeFileSystem(device);
    if (existing) throw storageError(ErrorNumber.STORAGE_POOL_BUILT, `Device '${device}' already formatted using '${existing}'`);
  }
  await run('mkfs', ['-t', format, ...(format.startsWith('ext') ? ['-F', '-q'] : []), device], `Failed to make filesystem of type '${format}' on device '${device}'`);
}

/** pool-start: mount the device on the pool's folder. */
export async function mountFileSystem(def: StoragePoolDef): Promise<void> {
  const { device, format } = fsSource(def);
  const target = def.targetPath!;
  if (await isMounted(target)) throw invalidOperation(`Target '${target}' is already mounted`);
  await run('mount', ['-t', format, '--', device, target], `cannot mount '${device}' on '${target}'`);
}

/** pool-destroy: unmount it (nothing to do when it is not mounted). */
export async function unmountFileSystem(def: StoragePoolDef): Promise<void> {
  const target = def.targetPath!;
  if (!(await isMounted(target))) return;
  await run('umount', ['--', target], `cannot unmount '${target}'`);
}

