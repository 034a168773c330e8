#!/usr/bin/env node
// Figures: (a) in-process lookup-by-name + get-info pairs per second on
// test:///default; (b) whole-process wall time of `virsh -c test:///default list --all`,
// beside bare `node -e 0` and, where installed, libvirt's own virsh and libvirt-python.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { open, registerDriver } = await import(`${root}packages/core/dist/index.js`);
const { driver } = await import(`${root}packages/driver-test/dist/index.js`);
registerDriver(driver);

const conn = await open('test:///default');
const pairs = async (n) => {
  for (let i = 0; i < n; i++) await (await conn.lookupDomainByName('test')).getInfo();
};
await pairs(200000); // warm up
const rounds = [];
for (let r = 0; r < 5; r++) {
  const n = 500000;
  const t0 = process.hrtime.bigint();
  await pairs(n);
  rounds.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`(a) lookupByName + getInfo, in process: ${Math.round(median(rounds)).toLocaleString('en')} pairs/s (median of 5)`);
const py = '/usr/bin/python3';
const pyCode = "import libvirt,time\nc=libvirt.open('test:///default')\nn=200000\nt=time.perf_counter()\nfor i in range(n): c.lookupByName('test').info()\nprint(int(n/(time.perf_counter()-t)))";
const pr = existsSync(py) ? spawnSync(py, ['-c', pyCode], { encoding: 'utf8' }) : null;
console.log(pr && pr.status === 0 ? `    libvirt-python, same work: ${Number(pr.stdout.trim()).toLocaleString('en')} pairs/s` : '    libvirt-python: not installed here (reference figure: about 380,000 pairs/s)');

// Commands are run alternately, so that a busy machine slows each of them alike.
const wallOfEach = (cmds, n = 25) => {
  const times = cmds.map(() => []);
  for (let i = 0; i < n; i++) {
    cmds.forEach(([cmd, args], k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore' });
      times[k].push(r.status === 0 ? Number(process.hrtime.bigint() - t0) / 1e6 : NaN);
    });
  }
  return times.map((t) => (t.some(Number.isNaN) ? null : median(t)));
};
const libvirtVirsh = existsSync('/usr/bin/virsh') ? [['/usr/bin/virsh', ['-c', 'test:///default', 'list', '--all']]] : [];
const [ours, bare, lv = null] = wallOfEach([
  [`${root}packages/virsh/bin/virsh`, ['-c', 'test:///default', 'list', '--all']],
  [process.execPath, ['-e', '0']],
  ...libvirtVirsh,
]);
console.log(`(b) virsh -c test:///default list --all: ${ours?.toFixed(1)} ms; bare node -e 0: ${bare?.toFixed(1)} ms; difference ${(ours - bare).toFixed(1)} ms (medians of 25, interleaved)`);
console.log(lv !== null ? `    libvirt's virsh, same command: ${lv.toFixed(1)} ms` : "    libvirt's virsh: not installed here (reference figure: 12 ms)");
