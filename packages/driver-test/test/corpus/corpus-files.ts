// The two domain corpora the round-trip test reads, when a copy of libvirt's test data is
// beside the repository: libvirt's generic round-trip cases (with the kind of each case)
// and libvirt's QEMU test domains.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// beside the repository, or where LIBVIRT_TESTS_DIR says (a worktree elsewhere)
export const REFERENCE_DIR = process.env.LIBVIRT_TESTS_DIR ?? new URL('../../../../../shared/reference/libvirt-tests/', import.meta.url).pathname;

export interface CorpusFile {
  path: string;
  xml: string;
  /** the case must be refused (libvirt's DO_TEST_FAIL_* cases) */
  mustFail: boolean;
}

/** libvirt's genericxml2xml domain cases (backup documents left out: they are not domains). */
export function genericCorpus(): CorpusFile[] {
  const tsv = join(REFERENCE_DIR, 'genericxml2xml.cases.tsv');
  if (!existsSync(tsv)) return [];
  const out: CorpusFile[] = [];
  for (const line of readFileSync(tsv, 'utf8').split('\n')) {
    const [kind, name] = line.split('\t');
    if (!name || line.startsWith('#') || kind.startsWith('DO_TEST_BACKUP')) continue;
    const path = join(REFERENCE_DIR, 'genericxml2xmlindata', `${name}.xml`);
    out.push({ path, xml: readFileSync(path, 'utf8'), mustFail: kind.startsWith('DO_TEST_FAIL') });
  }
  return out;
}

/** libvirt's QEMU test domains. */
export function qemuCorpus(): CorpusFile[] {
  const dir = join(REFERENCE_DIR, 'qemuxml2argv');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort()
    .map((f) => ({ path: join(dir, f), xml: readFileSync(join(dir, f), 'utf8'), mustFail: false }));
}
