// Snapshot metadata of the QEMU driver's domains, as libvirt keeps it:
// <configDir>/snapshot/<domain>/<snapshot>.xml, one record per snapshot (the current
// one marked), written atomically; read back when a connection first needs a domain's.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorDomain } from '@tsvirt/core';
import { SnapshotTree, writeFileAtomic } from '@tsvirt/core/driver';
import { parseSnapshotRecord, textOfBytes } from '@tsvirt/core/xml';

export class SnapshotStore {
  constructor(private readonly configDir: string) {}

  private dir(domain: string): string {
    return path.join(this.configDir, 'snapshot', domain);
  }

  /** The tree of `domain`'s snapshots; a record that does not load is skipped and reported, as libvirt does. */
  async load(domain: () => string): Promise<SnapshotTree> {
    const tree = new SnapshotTree(domain, ErrorDomain.QEMU);
    const dir = this.dir(domain());
    const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.xml') && !f.startsWith('.'));
    const records = [];
    for (const f of files) {
      try {
        records.push(parseSnapshotRecord(textOfBytes(await fs.readFile(path.join(dir, f)))));
      } catch (e) {
        process.stderr.write(`tsvirt: Failed to load snapshot metadata from ${path.join(dir, f)}: ${(e as Error).message}\n`);
      }
    }
    tree.load(records);
    return tree;
  }

  /** Write every snapshot of `tree` (the current mark moves between them) and drop the records of those gone. */
  async save(domain: string, tree: SnapshotTree): Promise<void> {
    const dir = this.dir(domain);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const keep = new Set<string>();
    for (const snap of tree.all()) {
      keep.add(`${snap.name}.xml`);
      await writeFileAtomic(path.join(dir, `${snap.name}.xml`), snap.toXml(true, true));
    }
    for (const f of await fs.readdir(dir)) if (f.endsWith('.xml') && !keep.has(f)) await fs.rm(path.join(dir, f), { force: true });
  }

  async removeAll(domain: string): Promise<void> {
    await fs.rm(this.dir(domain), { recursive: true, force: true });
  }
}
