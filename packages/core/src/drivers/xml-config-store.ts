// Persistent definitions of one kind of object (domains, storage pools, networks) as
// libvirt keeps them: <dir>/<name>.xml, and autostart links <dir>/autostart/<name>.xml.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface XmlConfigFormat<T extends { name: string }> {
  /** in the log line about a file that does not load: "domain", "storage pool", "network" */
  readonly kind: string;
  parse(xml: Buffer): T;
  format(def: T): string;
}

export class XmlConfigStore<T extends { name: string }> {
  constructor(readonly dir: string, private readonly fmt: XmlConfigFormat<T>) {}

  private file(name: string): string {
    return path.join(this.dir, `${name}.xml`);
  }

  private autostartLink(name: string): string {
    return path.join(this.dir, 'autostart', `${name}.xml`);
  }

  /** Every definition that parses, with its autostart flag; a broken file is skipped, not fatal. */
  async loadAll(): Promise<Array<{ def: T; autostart: boolean }>> {
    const names = (await fs.readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.xml') && !n.startsWith('.'));
    const loaded = await Promise.all(names.map(async (file) => {
      try {
        // bytes, so that a file that is not UTF-8 is refused rather than read as something else
        const def = this.fmt.parse(await fs.readFile(path.join(this.dir, file)));
        const autostart = await fs.lstat(this.autostartLink(def.name)).then(() => true, () => false);
        return { def, autostart };
      } catch (e) {
        // as libvirt: the others load; the broken file stays, and the log says why
        process.stderr.write(`tsvirt: Failed to load config for ${this.fmt.kind} from ${path.join(this.dir, file)}: ${(e as Error).message}\n`);
        return undefined;
      }
    }));
    return loaded.filter((d) => d !== undefined);
  }

  async save(def: T): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(def.name), this.fmt.format(def));
  }

  async remove(name: string): Promise<void> {
    await Promise.all([fs.rm(this.file(name), { force: true }), fs.rm(this.autostartLink(name), { force: true })]);
  }

  async setAutostart(name: string, on: boolean): Promise<void> {
    const link = this.autostartLink(name);
    await fs.rm(link, { force: true });
    if (!on) return;
    await fs.mkdir(path.dirname(link), { recursive: true, mode: 0o700 });
    await fs.symlink(this.file(name), link);
  }
}
