// The live definition of a domain this driver started: <runDir>/<name>.xml, the
// domain XML with its id, so that a connection opened later knows the running
// domain by its full definition rather than by what xl reports of it.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@tsvirt/core/driver';
import { formatDomainXml, parseDomainXml, type DomainDef } from '@tsvirt/core/xml';

const fileOf = (runDir: string, name: string) => path.join(runDir, `${name}.xml`);

export async function writeLiveDef(runDir: string, def: DomainDef, id: number): Promise<void> {
  await fs.mkdir(runDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(fileOf(runDir, def.name), formatDomainXml(def, { id, secure: true }));
}

/** The live definition recorded for a running domain, if any (a broken file counts as none). */
export async function readLiveDef(runDir: string, name: string): Promise<DomainDef | undefined> {
  try {
    return parseDomainXml(await fs.readFile(fileOf(runDir, name)));
  } catch {
    return undefined;
  }
}

export const removeLiveDef = (runDir: string, name: string) => fs.rm(fileOf(runDir, name), { force: true });
