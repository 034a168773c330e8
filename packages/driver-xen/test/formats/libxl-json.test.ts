// Domain XML → libxl's domain configuration (JSON), against libvirt 9.0's own
// libxlxml2domconfig test data: the structure libvirt's libxl driver builds, compared
// field by field (libxl's JSON is compared as data: key order and indentation are
// libxl's printer's business).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { libxlDomainConfig, requiredShadowMemory } from '../../src/formats/libxl-json.js';
import { parseXenDomainXml } from '../../src/native-format.js';
import { LIBVIRT_TESTS, referenceCases, referenceMissing, sortedJson } from './reference-cases.js';

const DIR = path.join(LIBVIRT_TESTS, 'libxlxml2domconfigdata');
// libvirt runs these two only when built against a libxl older than Xen 4.10, where
// nested_hvm still sat in the HVM part; tsvirt builds the configuration of Xen 4.17's libxl
const OLD_LIBXL = new Set(['vnuma-hvm-legacy-nest', 'fullvirt-cpuid-legacy-nest']);

t.test("libvirt's libxlxml2domconfig corpus", { skip: referenceMissing() }, async (t) => {
  let checks = 0;
  const failed: string[] = [];
  for (const { name } of referenceCases('libxlxml2domconfig')) {
    if (OLD_LIBXL.has(name)) {
      t.comment(`${name}: for libxl before Xen 4.10, not run (as libvirt built against Xen 4.17 does not run it)`);
      continue;
    }
    checks++;
    const want = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
    let got: Record<string, any>;
    try {
      got = libxlDomainConfig(parseXenDomainXml(readFileSync(path.join(DIR, `${name}.xml`), 'utf8')));
    } catch (e) {
      failed.push(`${name}: ${(e as Error).message}`);
      continue;
    }
    // libvirt's test replaces libxl's shadow memory estimate with 1234; tsvirt computes libxl's own
    if (want.b_info.shadow_memkb === 1234) {
      t.equal(got.b_info.shadow_memkb, requiredShadowMemory(got.b_info.max_memkb, got.b_info.max_vcpus), `${name}: libxl's shadow memory estimate`);
      want.b_info.shadow_memkb = got.b_info.shadow_memkb;
    }
    if (JSON.stringify(sortedJson(got)) !== JSON.stringify(sortedJson(want))) failed.push(`${name}: ${JSON.stringify(got)}`);
  }
  t.comment(`libxlxml2domconfig: ${checks - failed.length} of ${checks} pass`);
  for (const f of failed) t.comment(`failed: ${f}`);
  t.equal(checks, 12);
  t.same(failed, [], 'every case libvirt runs for Xen 4.17 gives libvirt\'s configuration');
});

