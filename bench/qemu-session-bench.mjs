#!/usr/bin/env node
// virsh on qemu:///session as a user runs it, tsvirt beside libvirt 9.0 in one run: each
// side's virsh as a whole process (start-up included) against its session daemon, both as
// the same unprivileged user with private folders. tsvirt's virsh finds (the first time:
// starts) the user's tsvirtd by itself; libvirt's virsh talks to a libvirtd started here as
// that user (qemu+unix:///session?socket=...). Timed: start and destroy of a diskless
// guest, `list --all` and `dominfo` with 1 and with 5 guests running, and an internal
// snapshot of a running guest with a qcow2 disk. Rounds run in turn; the floor is a bare
// `node -e 0` (tsvirt's virsh is a Node program), the load is printed before and after.
// Needs root (to run both sides as another user) and QEMU; libvirt's side needs
// libvirt-daemon and libvirt-clients. Everything it starts is stopped, its folder removed.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const USER = 65534;
const TSVIRT_VIRSH = `${root}packages/virsh/bin/virsh`;
const LIBVIRT_VIRSH = '/usr/bin/virsh';
console.log(`qemu:///session through virsh: ${loadText()}`);
if (process.getuid?.() !== 0) {
  console.log('skipped: needs root, to run both sides as an unprivileged user of their own');
  process.exit(0);
}
if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) {
  console.log('skipped: qemu-system-x86_64 is not installed');
  process.exit(0);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-session-bench-'));
/** One side's private folders (home, XDG config, runtime and cache), owned by the user. */
function privateFolders(side) {
  const base = path.join(tmp, side);
  const dirs = Object.fromEntries(['home', 'config', 'run', 'cache', 'config/libvirt', 'disks'].map((d) => [d, path.join(base, d)]));
  for (const d of [base, ...Object.values(dirs)]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    chownSync(d, USER, USER);
  }
  const env = {
    PATH: process.env.PATH, HOME: dirs.home, XDG_CONFIG_HOME: dirs.config, XDG_RUNTIME_DIR: dirs.run, XDG_CACHE_HOME: dirs.cache,
    LIBVIRT_DEFAULT_URI: '', VIRSH_DEFAULT_CONNECT_URI: '', TSVIRTD_IDLE_TIMEOUT: '600',
  };
  return { dirs, env };
}
chownSync(tmp, USER, USER);
const ours = privateFolders('tsvirt');
const theirs = privateFolders('libvirt');
// libvirt's session QEMU driver without virtlogd: guests' output goes to files
writeFileSync(path.join(theirs.dirs['config/libvirt'], 'qemu.conf'), 'stdio_handler = "file"\n');
chownSync(path.join(theirs.dirs['config/libvirt'], 'qemu.conf'), USER, USER);
const libvirtSocket = path.join(theirs.dirs.run, 'libvirt', 'libvirt-sock');

const sides = {
  tsvirt: { ...ours, argv: (cmd) => [process.execPath, TSVIRT_VIRSH, '-c', 'qemu:///session', cmd] },
  libvirt: { ...theirs, argv: (cmd) => [LIBVIRT_VIRSH, '-c', `qemu+unix:///session?socket=${libvirtSocket}`, cmd] },
};

/** One virsh process of a side, as the user: its wall time in ms; a failure stops the benchmark. */
function virsh(side, cmd) {
  const [bin, ...args] = sides[side].argv(cmd);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, args, { uid: USER, gid: USER, env: sides[side].env, cwd: sides[side].dirs.home, encoding: 'utf8', timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${side}: virsh '${cmd}': ${(r.stderr || r.error?.message || '').trim()}`);
  return ms;
}
const floor = () => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0'], { uid: USER, gid: USER, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const guestXml = (name, disk) => `<domain type='qemu'><name>${name}</name><memory unit='MiB'>96</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>${disk ? `
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>` : ''}
  </devices></domain>\n`;
const GUESTS = ['g1', 'g2', 'g3', 'g4', 'g5'];

const started = [];
/** The user's tsvirtd processes of our side (started by its first virsh). */
const tsvirtDaemons = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tsvirtd')
      && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${ours.dirs.run}`);
  } catch {
    return false;
  }
}).map(Number);

let libvirtOk = false;
try {
  if (existsSync('/usr/sbin/libvirtd') && existsSync(LIBVIRT_VIRSH)) {
    const daemon = spawn('/usr/sbin/libvirtd', [], { uid: USER, gid: USER, env: theirs.env, cwd: theirs.dirs.home, stdio: 'ignore' });
    started.push(daemon);
    for (let i = 0; i < 300 && !existsSync(libvirtSocket) && daemon.exitCode === null; i++) await sleep(100);
    libvirtOk = existsSync(libvirtSocket);
  }
  if (!libvirtOk) console.log('libvirt: its session daemon did not start here (libvirt-daemon, libvirt-clients); its side is skipped');
  const active = Object.keys(sides).filter((s) => s === 'tsvirt' || libvirtOk);

  // Not timed: definitions, and a first start of each side (loading QEMU from disk, probing it).
  for (const side of active) {
    const { dirs } = sides[side];
    const disk = path.join(dirs.disks, 'snap.qcow2');
    const made = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M'], { uid: USER, gid: USER });
    if (made.status !== 0) throw new Error(`qemu-img: ${made.stderr}`);
    for (const [name, file] of [...GUESTS.map((g) => [g, null]), ['sd', null], ['snap', disk]]) {
      const xmlFile = path.join(dirs.home, `${name}.xml`);
      writeFileSync(xmlFile, guestXml(name, file));
      chownSync(xmlFile, USER, USER);
      virsh(side, `define ${xmlFile}`);
    }
    virsh(side, 'start sd');
    virsh(side, 'destroy sd');
  }
  const both = (make) => Object.fromEntries([['node -e 0', floor], ...active.map((side) => [side, () => make(side)])]);
  const report = (what, r) => console.log(`  ${what.padEnd(34)} ${Object.entries(r).map(([k, v]) => `${k} ${v.median === null ? 'not run' : `${fmt(v.median, 1)} ms`}`).join(', ')}`);

  console.log(`median of ${ROUNDS} rounds in turn, each a whole virsh process, as uid ${USER}:`);
  report('start (diskless, 96 MiB, TCG)', await interleaved(ROUNDS, both((side) => {
    const ms = virsh(side, 'start sd');
    virsh(side, 'destroy sd');
    return ms;
  })));
  report('destroy', await interleaved(ROUNDS, both((side) => {
    virsh(side, 'start sd');
    return virsh(side, 'destroy sd');
  })));
  for (const running of [1, 5]) {
    for (const side of active) for (const g of GUESTS.slice(running === 1 ? 0 : 1, running)) virsh(side, `start ${g}`);
    report(`list --all, ${running} running`, await interleaved(ROUNDS, both((side) => virsh(side, 'list --all'))));
    report(`dominfo g1, ${running} running`, await interleaved(ROUNDS, both((side) => virsh(side, 'dominfo g1'))));
  }
  for (const side of active) virsh(side, 'start snap');
  report('snapshot-create-as (running, qcow2)', await interleaved(ROUNDS, both((side) => {
    const ms = virsh(side, 'snapshot-create-as snap s1');
    virsh(side, 'snapshot-delete snap s1');
    return ms;
  })));
} catch (e) {
  console.log(`failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  for (const side of Object.keys(sides)) {
    if (side === 'libvirt' && !libvirtOk) continue;
    for (const g of [...GUESTS, 'sd', 'snap']) {
      try { virsh(side, `destroy ${g}`); } catch { /* not running */ }
    }
  }
  for (const pid of tsvirtDaemons()) process.kill(pid, 'SIGTERM');
  for (const c of started) c.kill('SIGTERM');
  for (let i = 0; i < 100 && (tsvirtDaemons().length || started.some((c) => c.exitCode === null && c.signalCode === null)); i++) await sleep(50);
  rmSync(tmp, { recursive: true, force: true });
  console.log(`qemu:///session through virsh: done, ${loadText()}`);
}
