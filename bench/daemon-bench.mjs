#!/usr/bin/env node
// Figures: lookupByName + getInfo pairs per second through tsvirtd's unix
// socket, one after another and pipelined, beside libvirt's libvirtd doing the same
// work over test+unix:///default where it is installed; and tsvirtd's memory with 100
// connected clients. libvirtd is started privately (own socket folder), so that no
// system daemon is needed or disturbed. Sequential calls are bound by the idle vCPUs'
// wake-up latency, for any daemon (a C ping-pong between two processes pays ~45-50 us
// per round trip here when idle, ~10 us when the CPUs are kept busy).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { open } = await import(`${root}packages/core/dist/index.js`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = 5;
const PIPELINE = 32;

/** Start a daemon and resolve once `ready(stderr)` says it is up. */
function startProcess(cmd, args, opts, ready) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => resolve(proc), 3000);
    proc.stderr.on('data', (d) => { err += d; if (ready(err)) { clearTimeout(timer); resolve(proc); } });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited (${code}): ${err.slice(0, 300)}`)); });
  });
}

/** Pairs per second over `seconds`, with `lanes` chains of calls in flight at once. */
async function pairsPerSecond(conn, lanes, seconds) {
  let pairs = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await (await conn.lookupDomainByName('test')).getInfo();
      pairs++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: lanes }, lane));
  return pairs / ((performance.now() - t0) / 1000);
}

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const fmt = (n) => Math.round(n).toLocaleString('en');

/** A private session libvirtd and a libvirt-python worker that runs timed rounds on request; null when not possible. */
async function startLibvirtSide() {
  const py = '/usr/bin/python3';
  if (!existsSync('/usr/sbin/libvirtd') || spawnSync(py, ['-c', 'import libvirt']).status !== 0) {
    console.log('libvirt: libvirtd or python3-libvirt not installed here; skipped (reference figure: about 6,000-7,000 pairs/s)');
    return null;
  }
  // A session libvirtd as an unprivileged user: the system one needs users and devices
  // (libvirt-qemu, /dev/mem) that containers lack. Its socket: $XDG_RUNTIME_DIR/libvirt/libvirt-sock.
  const lvDir = mkdtempSync(join(tmpdir(), 'libvirtd-bench-'));
  chmodSync(lvDir, 0o777);
  const sock = join(lvDir, 'libvirt', 'libvirt-sock');
  const asUser = process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};
  const env = { ...process.env, HOME: lvDir, XDG_RUNTIME_DIR: lvDir, XDG_CONFIG_HOME: join(lvDir, 'config'), XDG_CACHE_HOME: join(lvDir, 'cache') };
  let daemon = null;
  try {
    daemon = await startProcess('/usr/sbin/libvirtd', [], { env, ...asUser }, () => existsSync(sock));
    for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    const code = `import libvirt,sys,time\nc=libvirt.open('test+unix:///default?socket=${sock}')\nfor line in sys.stdin:\n  n=0\n  t=time.perf_counter()\n  end=t+float(line)\n  while time.perf_counter()<end:\n    c.lookupByName('test').info(); n+=1\n  print(n/(time.perf_counter()-t), flush=True)\n`;
    const worker = spawn(py, ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = [];
    let wake = null;
    let buffered = '';
    worker.stdout.on('data', (d) => {
      buffered += d;
      for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1)) lines.push(Number(buffered.slice(0, i)));
      wake?.();
    });
    let failure = '';
    worker.stderr.on('data', (d) => { failure += d; wake?.(); });
    const round = async (seconds) => {
      worker.stdin.write(`${seconds}\n`);
      while (!lines.length) {
        if (failure) throw new Error(failure.trim().split('\n').at(-1));
        await new Promise((r) => { wake = r; });
      }
      return lines.shift();
    };
    await round(0.3);
    return { round, stop: () => { worker.kill(); daemon.kill('SIGTERM'); } };
  } catch (e) {
    daemon?.kill('SIGTERM');
    console.log(`libvirt: could not run a private libvirtd here (${e.message}); skipped (reference figure: about 6,000-7,000 pairs/s)`);
    return null;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The floor of any request/reply design between two Node processes here: a bare echo
 * over a unix socket, one 64-byte message at a time. A sequential pair is two of these.
 */
async function bareEchoRoundTrips(seconds) {
  const sock = join(mkdtempSync(join(tmpdir(), 'echo-bench-')), 'echo.sock');
  const code = `require('net').createServer((s) => s.on('data', (d) => s.write(d))).listen(${JSON.stringify(sock)}, () => console.log('up'))`;
  const echo = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => echo.stdout.once('data', resolve));
  const { connect } = await import('node:net');
  const client = connect(sock);
  await new Promise((resolve) => client.once('connect', resolve));
  const message = Buffer.alloc(64);
  let trips = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await new Promise((resolve) => {
    client.on('data', () => {
      trips++;
      if (performance.now() < end) client.write(message);
      else resolve();
    });
    client.write(message);
  });
  const rate = trips / ((performance.now() - t0) / 1000);
  client.destroy();
  echo.kill();
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-bench-'));
const daemon = await startProcess(process.execPath, [`${root}packages/daemon/bin/tsvirtd`, '--socket-dir', dir],
  { cwd: dir }, (e) => e.includes('listening'));
const uri = `test+unix:///default?socket=${dir}/tsvirt-sock`;
const conn = await open(uri);
await pairsPerSecond(conn, 1, 0.5); // warm up
const libvirt = await startLibvirtSide();

// Rounds alternate, so that a busy machine slows each side alike.
const ours = [];
const theirs = [];
for (let r = 0; r < ROUNDS; r++) {
  ours.push(await pairsPerSecond(conn, 1, SECONDS));
  if (libvirt) theirs.push(await libvirt.round(SECONDS));
}
const piped = await pairsPerSecond(conn, PIPELINE, SECONDS);
const ratio = (n) => (libvirt ? ` (${(n / median(theirs)).toFixed(1)}x libvirt's)` : '');
console.log(`tsvirtd, ${uri.replace(dir, 'DIR')} (medians of ${ROUNDS} rounds of ${SECONDS} s):`);
console.log(`  sequential lookupByName + getInfo: ${fmt(median(ours))} pairs/s${ratio(median(ours))}`);
console.log(`  pipelined (${PIPELINE} pairs in flight): ${fmt(piped)} pairs/s${ratio(piped)}`);
const echo = await bareEchoRoundTrips(SECONDS);
console.log(`  the floor of round trips here: a bare Node echo between two processes, ${fmt(echo)} round trips/s (${fmt(echo / 2)} two-trip pairs/s)`);
if (libvirt) {
  console.log(`libvirtd 9.0 (private session daemon) + libvirt-python, same pairs, rounds interleaved: ${fmt(median(theirs))} pairs/s sequential (target: 5x)`);
  libvirt.stop();
}
await conn.close();

const before = rssKiB(daemon.pid);
const clients = [];
for (let i = 0; i < 100; i++) clients.push(await open(uri));
await Promise.all(clients.map((c) => c.getType()));
const after = rssKiB(daemon.pid);
console.log(`  tsvirtd memory: ${fmt(before)} KiB RSS idle, ${fmt(after)} KiB with 100 connected clients (${((after - before) / 100).toFixed(1)} KiB per client)`);
await Promise.all(clients.map((c) => c.close()));
daemon.kill('SIGTERM');
