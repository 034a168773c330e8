import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** The folder beside the sockets where domain status is published (one folder per driver connection in it). */
export const STATUS_FOLDER_NAME = 'tsvirt-status';

// statfs f_type of the file systems that live in memory.
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

/**
 * Where this daemon publishes domain status: beside its sockets when they are in
 * memory (tmpfs, as /run and $XDG_RUNTIME_DIR are), else nowhere. On a disk, each
 * replaced file is a journaled metadata change (about 1 ms per domain change measured
 * here on ext4, against 30 µs on tmpfs), too slow to make every write call wait for.
 * Whatever a killed daemon left there is cleared.
 */
export function statusRootFor(socketDir: string): string | null {
  mkdirSync(socketDir, { recursive: true, mode: 0o755 });
  const root = join(socketDir, STATUS_FOLDER_NAME);
  rmSync(root, { recursive: true, force: true });
  const type = statfsSync(socketDir).type;
  if (type !== TMPFS_MAGIC && type !== RAMFS_MAGIC) {
    process.stderr.write(`tsvirtd: ${socketDir} is not in memory (tmpfs): domain status is not published, every read is a call\n`);
    return null;
  }
  return root;
}
