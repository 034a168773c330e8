// Persistent domain definitions, <configDir>/<name>.xml, and autostart links,
// <configDir>/autostart/<name>.xml, as libvirt keeps them.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatDomainXml, parseDomainXml, type DomainDef } from '@tsvirt/core/xml';
import { writeFileAtomic } from './atomic-file.js';

export class DomainConfigStore {
  constructor(private readonly configDir: string) {}

  private file(name: string): string {
    return path.join(this.configDir, `${name}.xml`);
  }

  private autostartLink(name: string): string {
    return path.join(this.configDir, 'autostart', `${name}.xml`);
  }

  /** Every definition that parses, with its autostart flag; a broken file is skipped, not fatal. */
  async loadAll(): Promise<Array<{ def: DomainDef; autostart: boolean }>> {
    const names = (await fs.readdir(this.configDir).catch(() => [] as string[])).filter((n) => n.endsWith('.xml') && !n.startsWith('.'));
    const loaded = await Promise.all(names.map(async (file) => {
      try {
        // bytes, so that a file that is not UTF-8 is refused rather than read as something else
        const def = parseDomainXml(await fs.readFile(path.join(this.configDir, file)));
        const autostart = await fs.lstat(this.autostartLink(def.name)).then(() => true, () => false);
        return { def, autostart };
      } catch (e) {
        // as libvirt: the other domains load; the broken file stays, and the log says why
        process.stderr.write(`tsvirt: Failed to load config for domain from ${path.join(this.configDir, file)}: ${(e as Error).message}\n`);
        return undefined;
      }
    }));
    return loaded.filter((d) => d !== undefined);
  }

  async save(def: DomainDef): Promise<void> {
    await writeFileAtomic(this.file(def.name), formatDomainXml(def, { inactive: true, secure: true }));
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
