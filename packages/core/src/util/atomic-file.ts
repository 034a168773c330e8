// Atomic replacement of a file: a crash at any moment leaves the old content or the new.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The temporary names writeFileAtomic makes: ".NAME.HEX.tmp". */
const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** A temporary file older than this was left by a crash, not by a write under way. */
const STALE_MS = 60_000;

/**
 * Remove the temporary files that a crash between write and rename left in `dir`
 * (a write under way in another process is spared by its age).
 */
export async function removeStaleTempFiles(dir: string, now = Date.now()): Promise<void> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => TEMP_NAME.test(n));
  await Promise.all(names.map(async (n) => {
    const file = path.join(dir, n);
    const stat = await fs.lstat(file).catch(() => null);
    if (stat?.isFile() && now - stat.mtimeMs > STALE_MS) await fs.rm(file, { force: true });
  }));
}

/** Write `data` to a temporary file beside `file`, fsync it, rename it over `file`, fsync the folder. */
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  // The rename itself is durable only once the folder is synced.
  const dir = await fs.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
