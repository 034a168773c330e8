// Files chowned to a guest's QEMU for its lifetime, and given back afterwards,
// as libvirt's DAC driver does with remember_owner: the original owner is
// recorded before the chown, a file used by several running guests is given
// back when the last one stops, and the record (<runDir>/<uuid>.owners, root's)
// outlives the daemon, so that a guest found dead after a restart is cleaned up too.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { formatDacLabel, type DacLabel, type LabelledFile } from './dac-seclabel.js';
import { writeFileAtomic } from '@tsvirt/core/driver';

interface OwnedFile {
  /** the file itself, symlinks resolved */
  path: string;
  /** its owner before the first running guest took it */
  uid: number;
  gid: number;
  /** the owner it was given, "+UID:+GID": it is given back only while it still has that one */
  label: string;
}

const RECORD_SUFFIX = '.owners';
/** A chown the file system refuses (NFS root squash, read-only or owner-less file systems) leaves the file as it is, as libvirt does. */
const UNCHANGEABLE = new Set(['EPERM', 'EROFS', 'EOPNOTSUPP', 'EINVAL']);

const chownError = (label: DacLabel, file: string, e: NodeJS.ErrnoException) => VirError.of(
  ErrorNumber.SYSTEM_ERROR, ErrorDomain.SECURITY,
  `unable to set user and group to '${label.uid}:${label.gid}' on '${file}': ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}`,
);

export class FileOwnership {
  /** by file: its original owner and the running guests (uuids) that hold it */
  readonly #held = new Map<string, { uid: number; gid: number; guests: Set<string> }>();
  /** by guest: what it was given */
  readonly #byGuest = new Map<string, OwnedFile[]>();

  constructor(private readonly runDir: string) {}

  #record(uuid: string): string {
    return path.join(this.runDir, `${uuid}${RECORD_SUFFIX}`);
  }

  async #save(uuid: string): Promise<void> {
    const files = this.#byGuest.get(uuid) ?? [];
    if (files.length) await writeFileAtomic(this.#record(uuid), `${JSON.stringify({ files })}\n`);
    else await fs.rm(this.#record(uuid), { force: true });
  }

  #hold(uuid: string, file: OwnedFile): void {
    const held = this.#held.get(file.path) ?? { uid: file.uid, gid: file.gid, guests: new Set<string>() };
    held.guests.add(uuid);
    this.#held.set(file.path, held);
    const mine = this.#byGuest.get(uuid) ?? [];
    if (!mine.some((f) => f.path === file.path)) mine.push(file);
    this.#byGuest.set(uuid, mine);
  }

  /** Chown `files` to their labels for guest `uuid`; on failure, what was done is given back. */
  async label(uuid: string, files: readonly LabelledFile[]): Promise<void> {
    const planned: Array<{ file: OwnedFile; label: DacLabel }> = [];
    for (const f of files) {
      if (f.create) {
        // A chardev's output file: QEMU would create it, and cannot in a folder that is not its own.
        const handle = await fs.open(f.path, 'a', 0o600).catch((e: NodeJS.ErrnoException) => { throw chownError(f.label, f.path, e); });
        await handle.close();
      }
      const real = await fs.realpath(f.path).catch((e: NodeJS.ErrnoException) => { throw chownError(f.label, f.path, e); });
      if (planned.some((p) => p.file.path === real) || this.#byGuest.get(uuid)?.some((o) => o.path === real)) continue;
      const st = await fs.stat(real);
      const original = this.#held.get(real) ?? { uid: st.uid, gid: st.gid };
      planned.push({ file: { path: real, uid: original.uid, gid: original.gid, label: formatDacLabel(f.label) }, label: f.label });
    }
    if (!planned.length) return;
    // Recorded before any chown: a crash in between leaves a record whose files are given back only if they were changed.
    for (const { file } of planned) this.#hold(uuid, file);
    await this.#save(uuid);
    try {
      for (const { file, label } of planned) {
        await fs.chown(file.path, label.uid, label.gid).catch((e: NodeJS.ErrnoException) => {
          if (!UNCHANGEABLE.has(e.code ?? '')) throw chownError(label, file.path, e);
        });
      }
    } catch (e) {
      await this.restore(uuid, planned.map((p) => p.file.path));
      throw e;
    }
  }

  /** Take over the record of a guest found running after a restart. */
  async adopt(uuid: string): Promise<void> {
    for (const file of await this.#read(uuid)) this.#hold(uuid, file);
  }

  /**
   * Give guest `uuid`'s files (or only `paths`) back to their original owners,
   * except those another running guest still holds, and those whose owner has
   * changed since (someone else's now). Best effort: a guest is stopped whatever happens here.
   */
  async restore(uuid: string, paths?: readonly string[]): Promise<void> {
    const mine = this.#byGuest.get(uuid) ?? [];
    const wanted = paths && new Set(await Promise.all(paths.map((p) => fs.realpath(p).catch(() => p))));
    const giving = mine.filter((f) => !wanted || wanted.has(f.path));
    this.#byGuest.set(uuid, mine.filter((f) => !giving.includes(f)));
    for (const file of giving) {
      const held = this.#held.get(file.path);
      held?.guests.delete(uuid);
      if (held?.guests.size) continue;
      this.#held.delete(file.path);
      const st = await fs.lstat(file.path).catch(() => undefined);
      if (!st || st.isSymbolicLink() || formatDacLabel(st) !== file.label) continue;
      await fs.chown(file.path, file.uid, file.gid).catch(() => {});
    }
    if (!this.#byGuest.get(uuid)?.length) this.#byGuest.delete(uuid);
    await this.#save(uuid).catch(() => {});
  }

  /** Give back the files of every recorded guest that is not in `running` (it stopped while no daemon watched). */
  async restoreOthers(running: ReadonlySet<string>): Promise<void> {
    const names = await fs.readdir(this.runDir).catch(() => [] as string[]);
    const others = names.filter((n) => n.endsWith(RECORD_SUFFIX)).map((n) => n.slice(0, -RECORD_SUFFIX.length)).filter((u) => !running.has(u));
    for (const uuid of others) {
      await this.adopt(uuid);
      await this.restore(uuid);
    }
  }

  async #read(uuid: string): Promise<OwnedFile[]> {
    try {
      const { files } = JSON.parse(await fs.readFile(this.#record(uuid), 'utf8')) as { files?: unknown };
      return Array.isArray(files) ? files.filter(isOwnedFile) : [];
    } catch {
      return [];
    }
  }
}

function isOwnedFile(f: unknown): f is OwnedFile {
  const o = f as Partial<OwnedFile> | null;
  return typeof o?.path === 'string' && path.isAbsolute(o.path) && Number.isSafeInteger(o.uid) && Number.isSafeInteger(o.gid) && typeof o.label === 'string';
}
