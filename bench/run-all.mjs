#!/usr/bin/env node
// `pnpm bench`: every benchmark in this folder, one after another (they would slow each
// other down side by side), each with the machine's load before it. A file that another
// benchmark imports is a helper, not a benchmark. Afterwards, anything a benchmark left in
// the temporary folders is named: each must clean up after itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadText } from './bench-kit.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const self = 'run-all.mjs';
const files = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== self).sort();
const imported = new Set(files.flatMap((f) => [...readFileSync(join(here, f), 'utf8').matchAll(/from '\.\/([\w.-]+\.mjs)'/g)].map((m) => m[1])));
const only = process.argv.slice(2);
const benches = files.filter((f) => !imported.has(f) && (!only.length || only.some((o) => f.includes(o))));

const TEMP_DIRS = [os.tmpdir(), '/dev/shm'];
const listing = () => new Set(TEMP_DIRS.flatMap((d) => { try { return readdirSync(d).map((f) => join(d, f)); } catch { return []; } }));
const before = listing();

const failed = [];
for (const bench of benches) {
  console.log(`\n=== ${bench} (${loadText()})`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  console.log(`--- ${bench}: ${r.status === 0 ? 'done' : `exit ${r.status ?? r.signal}`} in ${((Date.now() - t0) / 1000).toFixed(0)} s (${loadText()})`);
  if (r.status !== 0) failed.push(bench);
}
// Only what appeared during the run and is still there; other people's runs may add files too.
const left = [...listing()].filter((p) => !before.has(p) && /tsvirt|virsh|libvirt|bench|qemu/i.test(p));
console.log(`\n${benches.length - failed.length} of ${benches.length} benchmarks ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
console.log(left.length ? `left behind in temporary folders: ${left.join(', ')}` : 'nothing left behind in temporary folders');
process.exitCode = failed.length || left.length ? 1 : 0;
