#!/usr/bin/env node
// Two clients of the same libvirtd (a private one, libvirt's test driver, unix socket),
// in one run, rounds interleaved: tsvirt's remote driver speaking libvirt's REMOTE program,
// and libvirt-python (libvirt's own C client). lookupByName + info pairs per second, one
// call at a time, and 32 in flight on one connection (libvirt-python: 32 threads). The
// floor of one call at a time is a bare Node request/reply echo between two processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON_PAIRS, fmt, interleaved, loadText, pairsPerSecond, pythonRounds, startEchoFloor } from './bench-kit.mjs';
import { hasLibvirtPython, startPrivateLibvirtd } from './private-libvirtd.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { open } = await import(`${root}packages/core/dist/index.js`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = 32;

// one line per round: "LANES SECONDS"; prints the pairs per second
const PYTHON = `
import libvirt, sys
c = libvirt.open(sys.argv[1])
${PYTHON_PAIRS}
for line in sys.stdin:
    lanes, seconds = line.split()
    print(pairs(int(lanes), float(seconds)), flush=True)
`;

const libvirtd = await startPrivateLibvirtd();
if (!libvirtd) process.exit(0);
const work = mkdtempSync(join(tmpdir(), 'libvirtd-client-bench-'));
const echo = await startEchoFloor(work);
const conn = await open(`${libvirtd.uri}&program=remote`);
const python = hasLibvirtPython() ? pythonRounds('/usr/bin/python3', PYTHON, [libvirtd.uri]) : null;
if (!python) console.log('libvirt: python3-libvirt is not installed here; its side is skipped');

console.log(`${loadText()}, ${ROUNDS} rounds of ${SECONDS} s, interleaved`);
// warm both up
await pairsPerSecond(conn, 1, 0.2);
await python?.round(`1 0.2`);
const runs = await interleaved(ROUNDS, {
  echo: () => echo.rate(SECONDS),
  tsvirt: () => pairsPerSecond(conn, 1, SECONDS),
  python: () => python?.round(`1 ${SECONDS}`) ?? null,
  tsvirtMany: () => pairsPerSecond(conn, IN_FLIGHT, SECONDS),
  pythonMany: () => python?.round(`${IN_FLIGHT} ${SECONDS}`) ?? null,
});
const m = (k) => runs[k].median;
const vs = (ours, theirs) => (m(theirs) ? ` (${(m(ours) / m(theirs)).toFixed(2)}x libvirt-python's)` : '');
console.log(`floor, a bare Node echo: ${fmt(m('echo'))} round trips/s (a pair is two round trips: ${fmt(m('echo') / 2)} pairs/s at most)`);
console.log(`one at a time, tsvirt (REMOTE program): ${fmt(m('tsvirt'))} pairs/s${vs('tsvirt', 'python')}`);
if (python) console.log(`one at a time, libvirt-python:          ${fmt(m('python'))} pairs/s`);
console.log(`${IN_FLIGHT} in flight, tsvirt (REMOTE program):  ${fmt(m('tsvirtMany'))} pairs/s${vs('tsvirtMany', 'pythonMany')}`);
if (python) console.log(`${IN_FLIGHT} threads, libvirt-python:           ${fmt(m('pythonMany'))} pairs/s`);
console.log(loadText());

python?.stop();
await conn.close();
echo.stop();
libvirtd.stop();
rmSync(work, { recursive: true, force: true });
