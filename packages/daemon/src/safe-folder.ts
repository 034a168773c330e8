import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { unsafeFolderReason } from '@tsvirt/core/driver';

/**
 * Make the daemon's socket folder, or check the one that is there (core's
 * unsafeFolderReason: the daemon's user's own, writable by no one else, where no other
 * user can rename it). Others may traverse it, so that the read-only socket (0666) stays
 * reachable: a folder of ours that is 0700 (made first by something else) gets the
 * search bits. Missing parents are made 0755.
 */
export function prepareSocketFolder(dir: string, uid = process.getuid?.() ?? 0): void {
  const path = resolve(dir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(path, { mode: 0o755 });
    // The umask may have taken bits away.
    chmodSync(path, 0o755);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const why = unsafeFolderReason(path, uid);
  if (why) throw new Error(`refusing socket folder ${path}: ${why}`);
  const mode = lstatSync(path).mode;
  if ((mode & 0o011) !== 0o011) chmodSync(path, (mode & 0o777) | 0o011);
}
