// Python through the generated bindings: lookup + info pairs per second, blocking and with
// asyncio, beside libvirt-python talking to libvirtd, all against the test driver over a
// unix socket, in the same run with rounds interleaved. Each side is one Python process
// making one call at a time (like with like); the machine's load is printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, loadText, median, pythonRounds } from './bench-kit.mjs';
import { hasLibvirtPython, startPrivateLibvirtd } from './private-libvirtd.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = 5;
const python = '/usr/bin/python3';

const BLOCKING = `
import libvirt, sys, time
c = libvirt.open(sys.argv[1])
for line in sys.stdin:
    n, t = 0, time.perf_counter()
    end = t + float(line)
    while time.perf_counter() < end:
        c.lookupByName("test").info(); n += 1
    print(n / (time.perf_counter() - t), flush=True)`;

const ASYNCIO = `
import asyncio, libvirtaio, sys, time
async def main():
    c = await libvirtaio.open(sys.argv[1])
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        n, t = 0, time.perf_counter()
        end = t + float(line)
        while time.perf_counter() < end:
            dom = await c.lookupByName("test"); await dom.info(); n += 1
        print(n / (time.perf_counter() - t), flush=True)
asyncio.run(main())`;

const worker = (code, uri, env) => pythonRounds(python, code, [uri], env);

const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-bindings-bench-'));
const tsvirtd = spawn(process.execPath, [join(root, 'packages/daemon/bin/tsvirtd'), '--socket-dir', dir], { stdio: 'ignore' });
for (let i = 0; i < 100 && !existsSync(join(dir, 'tsvirt-sock')); i++) await new Promise((r) => setTimeout(r, 50));
const ours = `test+unix:///default?socket=${join(dir, 'tsvirt-sock')}`;
const bindings = { PYTHONPATH: join(root, 'bindings/python') };
const sides = [
  ['tsvirt bindings, blocking   (tsvirtd)', worker(BLOCKING, ours, bindings)],
  ['tsvirt bindings, asyncio    (tsvirtd)', worker(ASYNCIO, ours, bindings)],
];
const libvirtd = hasLibvirtPython() ? await startPrivateLibvirtd() : (console.log('libvirt: python3-libvirt is not installed here; its side is skipped'), null);
if (libvirtd) sides.push(['libvirt-python, blocking    (libvirtd 9.0)', worker(BLOCKING, libvirtd.uri, { PYTHONPATH: '' })]);

console.log(`${loadText()}, ${ROUNDS} rounds of ${SECONDS} s, interleaved`);
const figures = sides.map(() => []);
for (const [, w] of sides) await w.round(0.2);
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < sides.length; i++) figures[i].push(await sides[i][1].round(SECONDS));
}
const reference = libvirtd ? median(figures[sides.length - 1]) : null;
sides.forEach(([label], i) => {
  const m = median(figures[i]);
  console.log(`${label}: ${fmt(m)} lookup + info pairs/s${reference ? ` (${(m / reference).toFixed(2)}x libvirt-python's)` : ''}`);
});
for (const [, w] of sides) w.stop();
libvirtd?.stop();
tsvirtd.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
