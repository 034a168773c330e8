#!/usr/bin/env node
// Starting and destroying a diskless 64 MiB QEMU guest (TCG), daemon against daemon: a
// client of tsvirtd (qemu+unix:///session) beside a client of libvirt's session daemon
// (libvirt-python on qemu:///session, which starts that daemon), both run as the same
// unprivileged user with private folders, one round of each in turn. The floor is QEMU
// itself: exec of the same machine until its monitor greets. Define is not timed.
// Needs root (to run the clients as another user), QEMU, and for libvirt's side
// libvirt-daemon and python3-libvirt. Everything it starts is stopped and its folder removed.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const USER = 65534;
const QEMU = 'qemu-system-x86_64';
const PYTHON = '/usr/bin/python3';
console.log(`qemu start/destroy: ${loadText()}`);
if (process.getuid?.() !== 0) {
  console.log('skipped: needs root, to run both daemons as an unprivileged user of their own');
  process.exit(0);
}

const xml = (name) => `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices/></domain>`;

// The user's private folders, owned by it.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-bench-'));
const dirs = Object.fromEntries(['home', 'config', 'run', 'cache', 'config/libvirt'].map((d) => [d, path.join(tmp, d)]));
for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
// libvirt's session QEMU driver without virtlogd: guests' output goes to files
writeFileSync(path.join(dirs['config/libvirt'], 'qemu.conf'), 'stdio_handler = "file"\n');
for (const p of [tmp, ...Object.values(dirs), path.join(dirs['config/libvirt'], 'qemu.conf')]) chownSync(p, USER, USER);
const env = {
  PATH: process.env.PATH, HOME: dirs.home, XDG_CONFIG_HOME: dirs.config, XDG_RUNTIME_DIR: dirs.run, XDG_CACHE_HOME: dirs.cache, LIBVIRT_DEFAULT_URI: '',
};
const asUser = { uid: USER, gid: USER, env, cwd: dirs.home };

const started = [];
/** A child that answers one line per round: "START_MS DESTROY_MS". */
function worker(name, cmd, args) {
  const child = spawn(cmd, args, { ...asUser, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value } = await lines.next();
    if (value === undefined || value.startsWith('ERROR')) throw new Error(`${name}: ${(value ?? err.trim().split('\n').pop()) || 'exited'}`);
    return value;
  };
  return {
    ready: next(),
    async round() { child.stdin.write('round\n'); return (await next()).split(' ').map(Number); },
    stop() { child.stdin.end(); return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))); },
  };
}

const tsvirtClient = `
const { open } = await import(${JSON.stringify(`${root}packages/core/dist/index.js`)});
const { createInterface } = await import('node:readline');
try {
  const conn = await open('qemu+unix:///session');
  const dom = await conn.defineDomainXML(${JSON.stringify(xml('bench-tsvirt'))});
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    let t = performance.now(); await dom.create(); const s = performance.now() - t;
    t = performance.now(); await dom.destroy(); console.log(s + ' ' + (performance.now() - t));
  }
  await dom.undefine();
  await conn.close();
} catch (e) { console.log('ERROR ' + e.message); }`;
const libvirtClient = `
import libvirt, sys, time
try:
    c = libvirt.open('qemu:///session')
    d = c.defineXML(sys.argv[1])
except libvirt.libvirtError as e:
    print('ERROR ' + str(e).splitlines()[0], flush=True); sys.exit(0)
print('ready', flush=True)
for line in sys.stdin:
    t = time.perf_counter(); d.create(); s = time.perf_counter() - t
    t = time.perf_counter(); d.destroy(); print('%f %f' % (s * 1000, (time.perf_counter() - t) * 1000), flush=True)
d.undefine()`;

/** QEMU alone: exec of the same machine, paused, until its monitor's greeting; then killed. */
async function qemuFloor() {
  const t0 = performance.now();
  const q = spawn(QEMU, ['-machine', 'pc', '-accel', 'tcg', '-m', '64', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const greeted = await new Promise((resolve) => {
    q.stdout.once('data', () => resolve(performance.now() - t0));
    q.once('exit', () => resolve(null));
  });
  q.kill('SIGKILL');
  await new Promise((resolve) => (q.exitCode !== null || q.signalCode !== null ? resolve() : q.once('exit', resolve)));
  return greeted;
}

const daemon = spawn(process.execPath, [`${root}packages/daemon/bin/tsvirtd`], { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] });
started.push(daemon);
let tsvirt = null;
let libvirt = null;
try {
  const socket = path.join(dirs.run, 'tsvirt', 'tsvirt-sock');
  for (let i = 0; i < 200 && !existsSync(socket); i++) await sleep(50);
  tsvirt = worker('tsvirt', process.execPath, ['--input-type=module', '-e', tsvirtClient]);
  await tsvirt.ready;
  if (existsSync(PYTHON)) {
    libvirt = worker('libvirt', PYTHON, ['-c', libvirtClient, xml('bench-libvirt')]);
    await libvirt.ready.catch((e) => { console.log(`libvirt: cannot run its session daemon (${e.message})`); libvirt = null; });
  }
  await tsvirt.round(); // the first start pays for loading QEMU from disk, on either side
  await libvirt?.round();
  const r = await interleaved(ROUNDS, { tsvirt: () => tsvirt.round(), libvirt: () => libvirt?.round() ?? null, qemu: qemuFloor });
  const of = (side, i) => (r[side].all.length ? [...r[side].all.map((x) => x[i])].sort((a, b) => a - b)[Math.floor(r[side].all.length / 2)] : null);
  const ms = (x) => (x === null ? 'not run' : `${fmt(x, 1)} ms`);
  console.log(`median of ${ROUNDS} rounds in turn, as uid ${USER}, qemu:///session through each daemon:`);
  console.log(`  start:   tsvirt ${ms(of('tsvirt', 0))}, libvirt ${ms(of('libvirt', 0))}; floor, QEMU exec to monitor greeting: ${ms(r.qemu.median)}`);
  console.log(`  destroy: tsvirt ${ms(of('tsvirt', 1))}, libvirt ${ms(of('libvirt', 1))}`);
} catch (e) {
  console.log(`failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await tsvirt?.stop();
  await libvirt?.stop();
  daemon.kill('SIGTERM');
  // libvirt's session daemon outlives its client for a while: stop it by its pid file.
  const pidFile = path.join(dirs.run, 'libvirt', 'libvirtd.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 1) { try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ } }
    for (let i = 0; i < 100 && existsSync(pidFile); i++) await sleep(50);
  }
  await Promise.all(started.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((resolve) => c.once('exit', resolve)))));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`qemu start/destroy: done, ${loadText()}`);
}
