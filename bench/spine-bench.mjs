#!/usr/bin/env node
// The spine of every call, measured two ways, beside libvirt doing the same:
// (a) lookup-by-name + get-info pairs per second, in process on test:///default, against
//     libvirt-python in its own process on libvirt's test driver (in process there too),
//     one round of each in turn; the floor is two awaited calls that do nothing;
// (b) whole-process wall time of `virsh -c test:///default list --all`, against libvirt's
//     virsh, runs in turn; the floor is a bare `node -e 0`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bareNode, fmt, interleaved, loadText, wallMs } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PAIRS = Number(process.env.PAIRS ?? 200_000);
const PYTHON = '/usr/bin/python3';
console.log(`spine: ${loadText()}`);

const { open } = await import(`${root}packages/core/dist/index.js`);
const { registerDriver } = await import(`${root}packages/core/dist/entry-points/driver.js`);
const { driver } = await import(`${root}packages/driver-test/dist/index.js`);
registerDriver(driver);
const conn = await open('test:///default');

/** Pairs per second of an async step run `n` times. */
async function rate(n, step) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await step();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}
const tsvirtPair = async () => (await conn.lookupDomainByName('test')).getInfo();
const nothing = async () => undefined;
const floorPair = async () => { await nothing(); await nothing(); };

/** libvirt-python kept running: each line N asks for one round of N pairs, answered with its rate. */
function libvirtPython() {
  if (!existsSync(PYTHON)) return null;
  const code = `import libvirt, sys, time
c = libvirt.open('test:///default')
print('ready', flush=True)
for line in sys.stdin:
    n = int(line)
    t = time.perf_counter()
    for i in range(n): c.lookupByName('test').info()
    print(n / (time.perf_counter() - t), flush=True)`;
  const child = spawn(PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let failed = '';
  child.stderr.on('data', (d) => { failed += d; });
  const next = async () => (await lines.next()).value;
  return {
    ready: next().then((l) => l === 'ready' || Promise.reject(new Error(failed.trim().split('\n').pop() || 'libvirt-python did not start'))),
    async round(n) { child.stdin.write(`${n}\n`); return Number(await next()); },
    stop() { child.stdin.end(); },
  };
}

await rate(PAIRS, tsvirtPair); // warm up
const python = libvirtPython();
let pythonReady = false;
try {
  pythonReady = python ? await python.ready : false;
} catch (e) {
  console.log(`    libvirt-python: cannot run (${e.message}); apt-get install python3-libvirt`);
}
if (pythonReady) await python.round(PAIRS / 4); // warm up
const a = await interleaved(ROUNDS, {
  tsvirt: () => rate(PAIRS, tsvirtPair),
  libvirt: () => (pythonReady ? python.round(PAIRS) : null),
  floor: () => rate(PAIRS, floorPair),
});
python?.stop();
await conn.close();
console.log(`(a) lookupByName + getInfo in process, median of ${ROUNDS} rounds of ${fmt(PAIRS)} in turn:`);
console.log(`    tsvirt ${fmt(a.tsvirt.median)} pairs/s; libvirt-python ${a.libvirt.median ? `${fmt(a.libvirt.median)} pairs/s (tsvirt ${(a.tsvirt.median / a.libvirt.median).toFixed(2)}x)` : 'not run'}`);
console.log(`    floor, two awaited calls that do nothing: ${fmt(a.floor.median)} pairs/s`);

const LIBVIRT_VIRSH = '/usr/bin/virsh';
const b = await interleaved(25, {
  tsvirt: () => wallMs(`${root}packages/virsh/bin/virsh`, ['-c', 'test:///default', 'list', '--all']),
  libvirt: () => (existsSync(LIBVIRT_VIRSH) ? wallMs(LIBVIRT_VIRSH, ['-c', 'test:///default', 'list', '--all']) : null),
  floor: () => bareNode(),
});
console.log('(b) virsh -c test:///default list --all, whole process, median of 25 runs in turn:');
console.log(`    tsvirt ${b.tsvirt.median.toFixed(1)} ms; libvirt's virsh ${b.libvirt.median ? `${b.libvirt.median.toFixed(1)} ms` : 'not installed (apt-get install libvirt-clients)'}; floor, bare node -e 0: ${b.floor.median.toFixed(1)} ms (tsvirt above it: ${(b.tsvirt.median - b.floor.median).toFixed(1)} ms)`);
console.log(`spine: done, ${loadText()}`);
