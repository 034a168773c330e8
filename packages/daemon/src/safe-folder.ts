import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A folder the daemon will not use, and why. */
export class UnsafeFolderError extends Error {}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/** Whether a user other than root and the daemon's can replace entries of a folder with these stats. */
function othersCanChange(st: Stats, uid: number): string | null {
  if (st.uid !== 0 && st.uid !== uid) return `it belongs to user ${st.uid}`;
  // A sticky folder (/tmp) lets no one remove or rename another's entries.
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `group or others may write to it (mode ${octal(st.mode)})`;
  return null;
}

/**
 * Make the daemon's socket folder, or check the one that is there: a folder (not a
 * symbolic link) of the daemon's user, that no one else may write to, below folders
 * that no other user can rename or replace it in. Others may traverse it, so that the
 * read-only socket (0666) stays reachable: a folder of ours that is 0700 (made first by
 * something else) gets the search bits. Missing parents are made 0755.
 */
export function prepareSocketFolder(dir: string, uid = process.getuid?.() ?? 0): void {
  const path = resolve(dir);
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  try {
    mkdirSync(path, { mode: 0o755 });
    // The umask may have taken bits away.
    chmodSync(path, 0o755);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new UnsafeFolderError(`refusing socket folder ${path}: it is a symbolic link`);
  if (!st.isDirectory()) throw new UnsafeFolderError(`refusing socket folder ${path}: it is not a folder`);
  if (st.uid !== uid) throw new UnsafeFolderError(`refusing socket folder ${path}: it belongs to user ${st.uid}, not to the daemon's user ${uid}`);
  const own = othersCanChange(st, uid);
  if (own) throw new UnsafeFolderError(`refusing socket folder ${path}: ${own}`);
  for (let up = parent; ; up = dirname(up)) {
    const why = othersCanChange(lstatSync(up), uid);
    if (why) throw new UnsafeFolderError(`refusing socket folder ${path}: its parent ${up} is not safe: ${why}`);
    if (up === dirname(up)) break;
  }
  if ((st.mode & 0o011) !== 0o011) chmodSync(path, (st.mode & 0o777) | 0o011);
}
