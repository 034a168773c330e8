import { lstatSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/** Why a user other than root and `uid` could replace entries of a folder with these stats, or null. */
function othersCanChange(st: Stats, uid: number): string | null {
  if (st.uid !== 0 && st.uid !== uid) return `it belongs to user ${st.uid}`;
  // A sticky folder (/tmp) lets no one remove or rename another's entries.
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `group or others may write to it (mode ${octal(st.mode)})`;
  return null;
}

/**
 * Why a process of user `uid` must not keep sockets or state in `dir`, or null when it
 * may: the folder must be a folder (not a symbolic link) of that user's, that no one else
 * may write to, below folders in which no other user can rename or replace it.
 */
export function unsafeFolderReason(dir: string, uid = process.getuid?.() ?? 0): string | null {
  const path = resolve(dir);
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (!st.isDirectory()) return 'it is not a folder';
  if (st.uid !== uid) return `it belongs to user ${st.uid}, not to user ${uid}`;
  const own = othersCanChange(st, uid);
  if (own) return own;
  for (let up = dirname(path); ; up = dirname(up)) {
    const why = othersCanChange(lstatSync(up), uid);
    if (why) return `its parent ${up} is not safe: ${why}`;
    if (up === dirname(up)) return null;
  }
}
