#!/usr/bin/env node
// Runs every package's tap tests, one package at a time (the machine has 2 cores),
// and ends with the line CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
const hasTests = (dir) => existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'));

/** Run one suite that prints TAP, count its results, and show what failed. */
function runSuite(label, cwd, command, args) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = `${r.stdout}${r.stderr}`;
  const notOk = out.split('\n').filter((l) => /^\s*not ok /.test(l));
  const summary = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(out);
  if (!summary) {
    console.log(out.slice(-4000));
    console.log(`${label}: no tap summary (exit ${r.status})`);
    failed++;
    return;
  }
  const [, , p = '0', f = '0', s = '0'] = summary;
  passed += Number(p); failed += Number(f); skipped += Number(s);
  for (const l of notOk) console.log(l);
  if (Number(f) || r.status) console.log(out.split('\n').filter((l) => /^\s+(---|\.\.\.|[a-z]+:)/.test(l)).slice(0, 200).join('\n'));
  console.log(`${label}: ${p} passed, ${f} failed, ${s} skipped`);
  if (r.status && !Number(f)) { console.log(`${label}: tap exited ${r.status}`); failed++; }
}

for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  if (only.length && !only.includes(pkg)) continue;
  const dir = join(root, 'packages', pkg);
  if (hasTests(join(dir, 'test'))) runSuite(`@tsvirt/${pkg}`, dir, 'npx', ['tap', '--reporter=tap', '--disable-coverage', '--timeout=900']);
}
// The packages as published: packed, installed with npm outside the workspace, used there.
if (!only.length || only.includes('consumer')) runSuite('consumer test', root, process.execPath, ['test/consumer/consumer-test.mjs']);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
