#!/usr/bin/env node
// Figures: wall time of start (define excluded) and of destroy for a
// diskless 64 MiB QEMU domain, in process through tsvirt's API on qemu:///session,
// beside libvirt's qemu:///system (libvirt-python) when libvirtd runs here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-bench-'));
process.env.XDG_CONFIG_HOME = path.join(tmp, 'config');
process.env.XDG_RUNTIME_DIR = path.join(tmp, 'run');
const { open, registerDriver } = await import(`${root}packages/core/dist/index.js`);
const { driver } = await import(`${root}packages/driver-qemu/dist/index.js`);
registerDriver(driver);

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const xml = (name) => `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices/></domain>`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

const conn = await open('qemu:///session');
const dom = await conn.defineDomainXML(xml('bench'));
const start = [];
const destroy = [];
try {
  for (let i = 0; i < ROUNDS + 1; i++) {
    let t0 = performance.now();
    await dom.create();
    const s = performance.now() - t0;
    t0 = performance.now();
    await dom.destroy();
    const d = performance.now() - t0;
    // The first round pays for loading QEMU's binary and libraries from disk.
    if (i > 0) { start.push(s); destroy.push(d); }
  }
} finally {
  await dom.undefine().catch(() => {});
  await conn.close();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`tsvirt qemu:///session, diskless 64 MiB, median of ${ROUNDS}: start ${ms(median(start))} (min ${ms(Math.min(...start))}), destroy ${ms(median(destroy))} (min ${ms(Math.min(...destroy))})`);

// libvirt's side: the same work through libvirt-python on qemu:///system, when libvirtd answers.
const py = '/usr/bin/python3';
const pyCode = `
import libvirt, time, sys
try:
    c = libvirt.open('qemu:///system')
except libvirt.libvirtError as e:
    print('SKIP ' + str(e).splitlines()[0]); sys.exit(0)
d = c.defineXML(sys.argv[1])
s, k = [], []
try:
    for i in range(${ROUNDS} + 1):
        t = time.perf_counter(); d.create(); a = time.perf_counter() - t
        t = time.perf_counter(); d.destroy(); b = time.perf_counter() - t
        if i: s.append(a); k.append(b)
finally:
    d.undefine()
s.sort(); k.sort()
print('%.1f %.1f' % (s[len(s)//2] * 1000, k[len(k)//2] * 1000))
`;
if (!existsSync(py)) {
  console.log('libvirt qemu:///system: python3 not installed here (reference: start 300 ms, destroy 1600 ms)');
} else {
  const r = spawnSync(py, ['-c', pyCode, xml('tsvirt-bench-libvirt')], { encoding: 'utf8', timeout: 120_000 });
  const out = (r.stdout ?? '').trim();
  if (r.status !== 0) console.log(`libvirt qemu:///system: skipped (${(r.stderr || 'python3-libvirt missing').trim().split('\n').pop()}; reference: start 300 ms, destroy 1600 ms)`);
  else if (out.startsWith('SKIP')) console.log(`libvirt qemu:///system: skipped, libvirtd is not running (${out.slice(5)}; reference: start 300 ms, destroy 1600 ms)`);
  else {
    const [s, k] = out.split(' ').map(Number);
    console.log(`libvirt qemu:///system, same domain, median of ${ROUNDS}: start ${ms(s)}, destroy ${ms(k)}`);
  }
}
