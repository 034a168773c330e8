#!/usr/bin/env node
// Runs every package's tap tests, one package at a time (the machine may have few cores),
// and ends with the line CI reads: "N passed, N failed, N skipped". Each failure is listed
// with its file, line and message. `--unit` runs only the fast tests that need nothing
// but Node (no QEMU, no daemons, no packing); names of packages (or `repository`, `consumer`) narrow the run.
//
// The tests run with XDG folders of their own (removed afterwards), so that nothing they
// start reads or writes the user's configuration, cache or history.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitTests } from './unit-tests.mjs';
import { failuresOf } from './tap-failures.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const only = args.filter((a) => a !== '--unit');
let passed = 0, failed = 0, skipped = 0;
const failures = [];
const hasTests = (dir) => existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'));

const xdg = mkdtempSync(join(tmpdir(), 'tsvirt-tests-xdg-'));
const env = { ...process.env };
for (const name of ['CONFIG', 'CACHE', 'DATA', 'STATE']) {
  env[`XDG_${name}_HOME`] = join(xdg, name.toLowerCase());
  mkdirSync(env[`XDG_${name}_HOME`]);
}
// A default URI from the user's environment must not choose the tests' hypervisor.
env.LIBVIRT_DEFAULT_URI = '';
env.VIRSH_DEFAULT_CONNECT_URI = '';

/** Run one suite that prints TAP, count its results, and keep what failed. */
function runSuite(label, cwd, command, commandArgs) {
  console.log(`\n=== ${label}`);
  const start = Date.now();
  const r = spawnSync(command, commandArgs, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = `${r.stdout}${r.stderr}`;
  const summary = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(out);
  if (!summary) {
    console.log(out.slice(-4000));
    console.log(`${label}: no tap summary (exit ${r.status})`);
    failures.push({ label, where: cwd, title: `no tap summary (exit ${r.status})`, details: [] });
    failed++;
    return;
  }
  const [, , p = '0', f = '0', s = '0'] = summary;
  passed += Number(p); failed += Number(f); skipped += Number(s);
  const found = failuresOf(out);
  for (const failure of found) failures.push({ label, ...failure });
  console.log(`${label}: ${p} passed, ${f} failed, ${s} skipped (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  if (r.status && !Number(f)) {
    failures.push({ label, where: cwd, title: `tap exited ${r.status} with no failed test`, details: out.split('\n').slice(-20) });
    failed++;
  }
}

const tap = ['tap', '--reporter=tap', '--disable-coverage', '--timeout=900'];
try {
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    if (only.length && !only.includes(pkg)) continue;
    const dir = join(root, 'packages', pkg);
    if (!hasTests(join(dir, 'test'))) continue;
    if (unit) {
      const files = unitTests[pkg];
      if (files?.length) runSuite(`@tsvirt/${pkg} (unit)`, dir, 'npx', [...tap, ...files]);
    } else {
      runSuite(`@tsvirt/${pkg}`, dir, 'npx', tap);
    }
  }
  // The repository as a whole: it explains itself.
  if (!only.length || only.includes('repository')) runSuite('repository', root, 'npx', [...tap, 'test/repository/self-contained.test.mjs', 'test/repository/engines.test.mjs']);
  // The packages as published: packed, installed with npm outside the workspace, used there.
  if (!unit && (!only.length || only.includes('consumer'))) runSuite('consumer test', root, process.execPath, ['test/consumer/consumer-test.mjs']);
} finally {
  rmSync(xdg, { recursive: true, force: true });
}

if (failures.length) {
  console.log(`\n${failures.length} failure${failures.length === 1 ? '' : 's'}:`);
  for (const { label, where, title, details } of failures) {
    console.log(`\n✗ ${label} ${where}\n  ${title}`);
    for (const line of details) console.log(`    ${line}`);
  }
  console.log('');
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
