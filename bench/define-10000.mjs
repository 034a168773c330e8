#!/usr/bin/env node
// The scale figure: one virsh process runs a script of N `define` commands of a realistic
// 57-line domain (bench/realistic-domain.mjs; distinct names, UUIDs and MACs) and a
// `list --all`, for N = 1,000, 5,000 and 10,000; prints wall time and peak memory (GNU
// time's maximum resident set size) of each run, beside libvirt's own /usr/bin/virsh doing
// the same where it is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realisticDomainXml } from './realistic-domain.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsvirt = join(root, 'packages/virsh/bin/virsh');
const libvirt = '/usr/bin/virsh';
const gnuTime = '/usr/bin/time';
const dir = mkdtempSync(join(tmpdir(), 'define-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** One XML file per domain and the script that defines them all, then lists them. */
function writeScript(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const file = join(dir, `d${i}.xml`);
    if (!existsSync(file)) {
      writeFileSync(file, realisticDomainXml(i));
    }
    lines.push(`define ${file}`);
  }
  lines.push('list --all');
  const script = join(dir, `script-${n}.txt`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  return script;
}

/** Wall seconds and peak RSS (MiB) of one run of `virsh -c test:///default < script`. */
function measure(virsh, script, n) {
  const t0 = process.hrtime.bigint();
  const args = existsSync(gnuTime) ? [gnuTime, '-f', '%M', virsh] : [virsh];
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', ...args, '-q', '-c', 'test:///default'], {
    input: readFileSync(script, 'utf8'), encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const listed = (r.stdout.match(/ bench-guest-\d+ /g) ?? []).length;
  if (r.status !== 0 || listed !== n) throw new Error(`${virsh}: exit ${r.status}, listed ${listed} of ${n}: ${r.stderr.slice(-300)}`);
  const kib = Number(/(\d+)\s*$/.exec(r.stderr)?.[1]);
  return { wall, mib: Number.isFinite(kib) ? kib / 1024 : NaN };
}

const fmt = ({ wall, mib }) => `${wall.toFixed(2)} s, ${Number.isNaN(mib) ? '?' : mib.toFixed(0)} MiB`;
for (const n of [1000, 5000, 10000]) {
  const script = writeScript(n);
  const ours = measure(tsvirt, script, n);
  const theirs = existsSync(libvirt) ? measure(libvirt, script, n) : null;
  console.log(`${n.toLocaleString('en').padStart(6)} defines + list --all: tsvirt ${fmt(ours)}`
    + (theirs ? `; libvirt virsh ${fmt(theirs)}` : '; libvirt virsh: not installed here'));
}
