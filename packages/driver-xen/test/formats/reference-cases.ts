// libvirt 9.0's own test data for its Xen converters (xlconfigtest, xmconfigtest,
// libxlxml2domconfigtest), from the reference material beside the repository
// (../shared/reference/libvirt-tests): a user's clone has none, and tests skip.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = new URL('../../../../', import.meta.url).pathname;
export const SHARED = path.join(repoRoot, '..', 'shared');
export const LIBVIRT_TESTS = path.join(SHARED, 'reference', 'libvirt-tests');
export const XL_DRYRUN = path.join(SHARED, 'reference', 'xen', 'xl-dryrun');
export const REAL_XL = path.join(SHARED, 'tools', 'xen', 'xl');

export const referenceMissing = (): string | false =>
  existsSync(LIBVIRT_TESTS) ? false : `${LIBVIRT_TESTS} is absent (the reference material beside the repository)`;

export const realXlMissing = (): string | false => {
  if (!existsSync(REAL_XL)) return `${REAL_XL} is absent (the development tools beside the repository)`;
  if (!existsSync('/usr/lib/xen-4.17/bin/xl')) return "Debian's xl is not installed (apt-get install xen-utils-4.17 gcc)";
  return false;
};

export interface ReferenceCase {
  /** the libvirt test macro: DO_TEST, DO_TEST_PARSE (XML → config), DO_TEST_FORMAT (config → XML), DO_TEST_REPLACE_VARS */
  kind: string;
  name: string;
}

/** The cases a `*.cases.tsv` lists. */
export function referenceCases(suite: string): ReferenceCase[] {
  return readFileSync(path.join(LIBVIRT_TESTS, `${suite}.cases.tsv`), 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [kind, name] = l.split('\t');
      return { kind, name };
    });
}

/** libvirt's test replaces this placeholder with the firmware folder it was built with. */
export const replaceFirmwareDir = (text: string) => text.replaceAll('/LIBXL_FIRMWARE_DIR', '/usr/lib/xen/boot');

/** A JSON value with its object keys in order: libxl's JSON compared as data. */
export function sortedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedJson((v as Record<string, unknown>)[k])]));
  return v;
}
