// libvirt 9.0's own conversion tests for xl.cfg and xm configs, run through tsvirt's
// domxml-to-native and domxml-from-native: each case is the check libvirt's test makes
// (XML → config compared with the .cfg byte for byte, config → XML compared with the
// .xml byte for byte, passwords kept). libvirt itself, through its public API, passes
// 119 of these 152 checks: it drops passwd= from the XML it returns.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { domainXmlFromNative, domainXmlToNative } from '../../src/native-format.js';
import { LIBVIRT_TESTS, referenceCases, referenceMissing, replaceFirmwareDir } from './reference-cases.js';

const missing = referenceMissing();
const SUITES = [
  { suite: 'xlconfig', dir: 'xlconfigdata', format: 'xen-xl' },
  { suite: 'xmconfig', dir: 'xmconfigdata', format: 'xen-xm' },
];

t.test("libvirt's xl.cfg and xm config conversion corpora", { skip: missing }, async (t) => {
  let checks = 0;
  const failed: string[] = [];
  for (const { suite, dir, format } of SUITES) {
    for (const { kind, name } of referenceCases(suite)) {
      const file = (ext: string) => {
        const text = readFileSync(path.join(LIBVIRT_TESTS, dir, `test-${name}.${ext}`), 'utf8');
        return kind === 'DO_TEST_REPLACE_VARS' ? replaceFirmwareDir(text) : text;
      };
      const toNative = kind !== 'DO_TEST_FORMAT';
      const fromNative = kind !== 'DO_TEST_PARSE';
      const check = (what: string, run: () => string, want: string) => {
        checks++;
        let got: string;
        try {
          got = run();
        } catch (e) {
          got = `error: ${(e as Error).message}`;
        }
        if (got !== want) failed.push(`${suite} ${what} ${name}: ${got.length > 200 ? `${got.slice(0, 200)}...` : got}`);
      };
      if (toNative) check('XML→config', () => domainXmlToNative(format, file('xml'), 0), file('cfg'));
      if (fromNative) check('config→XML', () => domainXmlFromNative(format, file('cfg'), 0), file('xml'));
    }
  }
  const passed = checks - failed.length;
  t.comment(`xlconfig + xmconfig: ${passed} of ${checks} checks pass (${(100 * passed / checks).toFixed(1)}%)`);
  for (const f of failed) t.comment(`failed: ${f}`);
  t.equal(checks, 152, "libvirt's 152 xl/xm checks were all run");
  t.ok(passed >= 152, `at least 152 pass (${passed})`);
});
