// The user's session daemon as libvirt's clients have it: the first client on
// qemu:///session starts tsvirtd by itself, every later client (any number at once) shares
// it, and it exits once idle with no guests. Real processes as an unprivileged user with a
// private XDG_RUNTIME_DIR and HOME, real QEMU guests.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { otherUserCannotRead } from '../../core/test/fixtures/other-user.js';
import { NODE, VIRSH, socketDir, startDaemon } from './fixtures/daemon-harness.js';

// Several real daemons and guests, one after another, on a machine that may be loaded.
t.setTimeout(600_000);

const USER = 65534;
const hasQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0;
const cannot = otherUserCannotRead(VIRSH) || (!hasQemu && 'no qemu-system-x86_64');

interface Session {
  dir: string;
  env: NodeJS.ProcessEnv;
  runtime: string;
  virsh(...args: string[]): { out: string; err: string; rc: number | null };
  virshAsync(...args: string[]): Promise<{ out: string; err: string; rc: number | null }>;
  spawnVirsh(...args: string[]): ChildProcess;
  /** the user's tsvirtd processes: those whose XDG_RUNTIME_DIR is this session's */
  daemons(): number[];
  guestXml(name: string): string;
}

/** A user's private session: its own HOME and XDG_RUNTIME_DIR, owned by it. */
function session(t: Test, idleTimeout: number): Session {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-session-'));
  chmodSync(dir, 0o755);
  const runtime = join(dir, 'run');
  for (const d of [join(dir, 'home'), runtime]) {
    mkdirSync(d, { mode: 0o700 });
    chownSync(d, USER, USER);
  }
  const env = {
    PATH: process.env.PATH, HOME: join(dir, 'home'), XDG_RUNTIME_DIR: runtime, TSVIRTD_IDLE_TIMEOUT: String(idleTimeout),
    LIBVIRT_DEFAULT_URI: '', VIRSH_DEFAULT_CONNECT_URI: '',
  };
  const as = { uid: USER, gid: USER, env, cwd: dir };
  const daemons = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tsvirtd')
        && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${runtime}`);
    } catch {
      return false;
    }
  });
  const s: Session = {
    dir, env, runtime, daemons,
    virsh: (...args) => {
      const r = spawnSync('/usr/bin/env', [...NODE, VIRSH, '-c', 'qemu:///session', ...args], { ...as, encoding: 'utf8', timeout: 120_000 });
      return { out: r.stdout, err: r.stderr, rc: r.status };
    },
    virshAsync: (...args) => new Promise((resolve) => {
      const c = s.spawnVirsh(...args);
      let out = '';
      let err = '';
      c.stdout!.on('data', (d) => { out += d; });
      c.stderr!.on('data', (d) => { err += d; });
      c.once('exit', (rc) => resolve({ out, err, rc }));
    }),
    spawnVirsh: (...args) => spawn('/usr/bin/env', [...NODE, VIRSH, '-c', 'qemu:///session', ...args], { ...as, stdio: ['ignore', 'pipe', 'pipe'] }),
    guestXml: (name) => {
      const file = join(dir, `${name.replace(/\W/g, '_')}.xml`);
      const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
      writeFileSync(file, `<domain type='qemu'><name>${escaped}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>\n`, { mode: 0o644 });
      return file;
    },
  };
  t.teardown(async () => {
    // Guests first (their daemon may have gone idle meanwhile: a client starts it again), then the daemon.
    const listed = s.virsh('list', '--name').out.split('\n').filter(Boolean);
    for (const name of listed) s.virsh('destroy', name);
    for (const pid of daemons()) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && daemons().length; i++) await sleep(50);
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await sleep(50);
  return what();
}

t.test('the first client starts the session daemon; later ones share it; idle and with no guests it exits', { skip: cannot }, async (t) => {
  const s = session(t, 2);
  t.same(s.daemons(), [], 'no daemon before the first client');
  const first = s.virsh('list', '--all');
  t.equal(first.err, '');
  t.equal(first.out, ' Id   Name   State\n--------------------\n\n', 'an empty list');
  const [pid] = s.daemons();
  t.ok(pid, 'a tsvirtd runs for the user');
  t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`^Uid:\\s+${USER}\\s`, 'm'), 'as the user');
  t.ok(existsSync(join(s.runtime, 'tsvirt', 'tsvirt-sock')), 'its socket is under XDG_RUNTIME_DIR');
  t.equal(s.virsh('define', s.guestXml('one')).rc, 0);
  t.same(s.daemons(), [pid], 'the next client found the same daemon');
  t.ok(await until(() => !alive(pid!), 30_000), 'it exits on its own once idle (no clients, no guests)');
  t.equal(s.virsh('list', '--all', '--name').out, 'one\n\n', 'the next client starts it again; the domain is still defined');
});

t.test('clients starting at once end with one daemon', { skip: cannot }, async (t) => {
  const s = session(t, 30);
  const results = await Promise.all(Array.from({ length: 4 }, () => s.virshAsync('uri')));
  t.same(results.map((r) => [r.rc, r.out, r.err]), Array(4).fill([0, 'qemu:///session\n\n', '']), 'every client was served');
  // the others, still starting when the first answered, find it serving and exit
  t.ok(await until(() => s.daemons().length === 1, 30_000), 'one daemon runs');
  const [pid] = s.daemons();
  await sleep(1000);
  t.same(s.daemons(), [pid], 'and stays the only one');
});

t.test('any number of clients at once: an event loop, a save and a restore, queries while one monitor hangs', { skip: cannot }, async (t) => {
  const s = session(t, 30);
  for (const g of ['g1', 'g2']) t.equal(s.virsh('define', s.guestXml(g)).rc, 0);
  t.equal(s.virsh('start', 'g1').rc, 0);
  t.equal(s.virsh('start', 'g2').rc, 0);

  const events = s.spawnVirsh('event', '--loop', '--all');
  t.teardown(() => events.kill('SIGINT'));
  let eventText = '';
  events.stdout!.on('data', (d) => { eventText += d; });
  // the loop has registered once a change made now shows up (it says nothing before)
  const suspended = () => eventText.includes("domain 'g1': Suspended Paused");
  for (let i = 0; i < 60 && !suspended(); i++) {
    t.equal(s.virsh('suspend', 'g1').rc, 0);
    t.equal(s.virsh('resume', 'g1').rc, 0);
    await until(suspended, 500);
  }
  t.ok(suspended(), 'the event loop runs in its own process');

  const image = join(s.dir, 'g1.save');
  chmodSync(s.dir, 0o777);
  const saved = s.virsh('save', 'g1', image);
  t.equal(saved.err, '', 'save in another process while the loop runs');
  t.match(saved.out, /Domain 'g1' saved to/);
  t.ok(await until(() => eventText.includes("domain 'g1': Stopped Saved"), 30_000), 'the loop sees the save');
  t.equal(s.virsh('restore', image).rc, 0, 'and a restore');
  t.ok(await until(() => eventText.includes("domain 'g1': Started Restored"), 30_000), 'the loop sees the restore');

  // A command about one domain touches only that domain's monitor: with g1's QEMU stopped
  // (its monitor cannot answer), the other guest and the list are served.
  const g1 = Number(readFileSync(join(s.runtime, 'tsvirt', 'qemu', 'g1.pid'), 'utf8'));
  process.kill(g1, 'SIGSTOP');
  t.teardown(() => { try { process.kill(g1, 'SIGCONT'); } catch { /* gone */ } });
  const [info, list, paused] = await Promise.all([s.virshAsync('dominfo', 'g2'), s.virshAsync('list', '--name'), s.virshAsync('suspend', 'g2')]);
  t.match(info.out, /^Name: +g2$/m, 'dominfo of the other guest');
  t.equal(list.out, 'g2\ng1\n\n', 'the list (by id: g1 was restored after g2 started)');
  t.equal(paused.rc, 0, 'a change to the other guest through its own monitor');
  process.kill(g1, 'SIGCONT');
  t.equal(s.virsh('domstate', 'g2').out, 'paused\n\n');
});

t.test('a daemon killed with guests running: the next client starts another that finds them, their monitors reattached', { skip: cannot }, async (t) => {
  const s = session(t, 30);
  const name = "a,b c'd,,e";
  t.equal(s.virsh('define', s.guestXml(name)).rc, 0);
  t.equal(s.virsh('start', name).rc, 0);
  const id = s.virsh('domid', name).out;
  const [pid] = s.daemons();
  process.kill(pid!, 'SIGKILL');
  t.ok(await until(() => !alive(pid!), 10_000), 'the daemon is gone');
  t.equal(s.virsh('domstate', name).out, 'running\n\n', 'a new daemon finds the guest running');
  t.not(s.daemons()[0], pid, 'a new daemon');
  t.equal(s.virsh('domid', name).out, id, 'under the same id');
  t.equal(s.virsh('suspend', name).rc, 0);
  t.equal(s.virsh('domstate', '--reason', name).out, 'paused (user)\n\n', 'its monitor answers the new daemon');
  t.equal(s.virsh('destroy', name).rc, 0);
  t.equal(s.virsh('list', '--all', '--name').out, `${name}\n\n`);
});

t.test('a guest running keeps the idle daemon; once it is gone the daemon exits', { skip: cannot }, async (t) => {
  const s = session(t, 1);
  t.equal(s.virsh('define', s.guestXml('keeper')).rc, 0);
  t.equal(s.virsh('start', 'keeper').rc, 0);
  const [pid] = s.daemons();
  await sleep(3500);
  t.ok(alive(pid!), 'idle past its timeout, it stays while the guest runs');
  t.equal(s.virsh('destroy', 'keeper').rc, 0);
  t.ok(await until(() => !alive(pid!), 30_000), 'then it exits');
});

t.test('a client with no daemon to start (TSVIRT_AUTOSTART=0) opens the driver in its own process', { skip: cannot }, async (t) => {
  const s = session(t, 30);
  s.env.TSVIRT_AUTOSTART = '0';
  t.equal(s.virsh('uri').out, 'qemu:///session\n\n');
  t.same(s.daemons(), [], 'no daemon started');
});

t.test('a daemon that cannot start is an error that says why, at once', { skip: cannot }, async (t) => {
  const s = session(t, 30);
  // a runtime folder the user cannot make (its parent is root's)
  s.env.XDG_RUNTIME_DIR = join(s.dir, 'missing', 'run');
  const r = s.virsh('uri');
  t.equal(r.rc, 1);
  t.match(r.err, /error: Failed to start the session daemon \S*tsvirtd: tsvirtd: EACCES: permission denied, mkdir '[^']*missing/);
});

t.test('a lock token that is not one stops the daemon with a clear message', async (t) => {
  const dir = socketDir();
  writeFileSync(join(dir, 'tsvirtd.lock-token'), `${'x'.repeat(200)}\n`, { mode: 0o600 });
  await t.rejects(startDaemon([], dir), /tsvirtd\.lock-token is not a lock token \(32 hexadecimal digits\): remove it/);
  t.notOk(existsSync(join(dir, 'tsvirt-sock')), 'no socket made');
});
