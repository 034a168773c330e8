import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { QemuProcess, QemuStartError, type QemuExit } from '../src/qemu-process.js';
import { QmpClosedError } from '../src/qmp/qmp-error.js';

const QEMU = process.env.TSVIRT_QEMU ?? 'qemu-system-x86_64';
const IDLE_ARGS = ['-machine', 'none', '-nodefaults', '-no-user-config', '-display', 'none'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-process-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Children of this test process, zombies included: what a failed start must not leave. */
function children(): Array<{ pid: number; comm: string; state: string }> {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === process.pid) found.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state: state! });
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let counter = 0;
async function start(t: { teardown(fn: () => unknown): void }, args = IDLE_ARGS): Promise<QemuProcess> {
  const name = `p${++counter}`;
  const qemu = await QemuProcess.start({ binary: QEMU, args, monitorPath: path.join(dir, `${name}.qmp`), pidFile: path.join(dir, `${name}.pid`), logFile: path.join(dir, `${name}.log`) });
  t.teardown(() => qemu.kill());
  return qemu;
}

t.test('starts QEMU with a QMP monitor and a pidfile, and stops it with quit', async (t) => {
  const qemu = await start(t);
  t.comment(`exec to QMP ready: ${qemu.startupMs.toFixed(1)} ms`);
  t.ok(alive(qemu.pid));
  t.equal(readFileSync(qemu.pidFile, 'utf8').trim(), String(qemu.pid), 'pidfile holds the pid');
  t.ok(existsSync(qemu.socketPath));
  t.equal((await qemu.qmp.execute<{ status: string }>('query-status')).status, 'running');
  t.match(readFileSync(qemu.logFile, 'utf8'), /starting up\n.*qemu-system-x86_64 -machine none .*-chardev socket,id=charmonitor,fd=3,/, 'argv logged, the monitor a descriptor QEMU inherits');

  const exitEvent = once(qemu, 'exit');
  const before = performance.now();
  const result = await qemu.stop();
  t.comment(`stop (quit to reaped): ${(performance.now() - before).toFixed(1)} ms`);
  t.same(result, { exit: { code: 0, signal: null }, forced: false });
  t.same(await exitEvent, [{ code: 0, signal: null }]);
  t.same(qemu.exitStatus, { code: 0, signal: null });
  t.notOk(alive(qemu.pid), 'process is gone');
  t.notOk(existsSync(qemu.pidFile) || existsSync(qemu.socketPath), 'run files removed');
  t.ok(qemu.qmp.closed);
  t.same(await qemu.stop(), result, 'stopping again is a no-op');
});

t.test('stop escalates to SIGKILL when QEMU does not quit in time', async (t) => {
  const qemu = await start(t);
  // A stopped process cannot read "quit" from its monitor.
  process.kill(qemu.pid, 'SIGSTOP');
  const before = performance.now();
  const result = await qemu.stop({ timeoutMs: 300 });
  const took = performance.now() - before;
  t.same(result, { exit: { code: null, signal: 'SIGKILL' }, forced: true });
  t.ok(took >= 290, `waited for the bound first (${took.toFixed(0)} ms)`);
  t.notOk(alive(qemu.pid));
});

t.test('stop sends SIGTERM when the monitor is already gone', async (t) => {
  const qemu = await start(t);
  await qemu.qmp.close();
  const result = await qemu.stop();
  // QEMU exits cleanly on SIGTERM ("terminating on signal 15").
  t.same(result, { exit: { code: 0, signal: null }, forced: false });
  t.match(readFileSync(qemu.logFile, 'utf8'), /terminating on signal 15/);
});

t.test('notices when QEMU dies on its own', async (t) => {
  const killed = await start(t);
  // The reply may or may not have been written before the kill.
  const pending = killed.qmp.execute('query-status').then(() => 'answered', (err: unknown) => err);
  const exits: QemuExit[] = [];
  killed.on('exit', (e) => exits.push(e));
  process.kill(killed.pid, 'SIGKILL');
  t.same(await killed.exited, { code: null, signal: 'SIGKILL' });
  t.same(exits, [{ code: null, signal: 'SIGKILL' }], 'exit event emitted');
  const outcome = await pending;
  t.ok(outcome === 'answered' || outcome instanceof QmpClosedError, `pending command: ${String(outcome)}`);
  await t.rejects(killed.qmp.execute('query-status'), QmpClosedError);

  const quitter = await start(t);
  await quitter.qmp.execute('quit').catch(() => undefined);
  t.same(await quitter.exited, { code: 0, signal: null }, 'a quit from elsewhere is seen too');
});

t.test('a bad argument fails the start with QEMU\'s message and leaves nothing behind', async (t) => {
  const logFile = path.join(dir, 'bad.log');
  const before = performance.now();
  const err = await QemuProcess.start({ binary: QEMU, args: ['-no-such-option'], monitorPath: path.join(dir, 'bad.qmp'), pidFile: path.join(dir, 'bad.pid'), logFile }).catch((e: unknown) => e);
  t.comment(`failed start: ${(performance.now() - before).toFixed(1)} ms`);
  t.ok(err instanceof QemuStartError);
  t.match(err, { message: /^QEMU exited with code 1 before its monitor was ready: qemu-system-x86_64: -no-such-option: invalid option$/, log: /invalid option/ });
  t.same(children(), [], 'no child process, not even a zombie');
  t.notOk(existsSync(path.join(dir, 'bad.qmp')) || existsSync(path.join(dir, 'bad.pid')));
});

t.test('a QEMU that dies after opening its monitor is reported by its exit, not the closed socket', async (t) => {
  // QEMU creates the monitor before it checks -device, so the client may be mid-negotiation.
  const args = [...IDLE_ARGS, '-device', 'no-such-device'];
  await t.rejects(QemuProcess.start({ binary: QEMU, args, monitorPath: path.join(dir, 'late.qmp'), pidFile: path.join(dir, 'late.pid'), logFile: path.join(dir, 'late.log') }), {
    name: 'QemuStartError',
    message: "QEMU exited with code 1 before its monitor was ready: qemu-system-x86_64: -device no-such-device: 'no-such-device' is not a valid device model name",
  });
  t.same(children(), []);
});

t.test('a start that never opens a monitor (fake binary) is killed and reaped', async (t) => {
  const fake = path.join(dir, 'fake-qemu');
  writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  const err = await QemuProcess.start({ binary: fake, args: [], monitorPath: path.join(dir, 'hang.qmp'), pidFile: path.join(dir, 'hang.pid'), logFile: path.join(dir, 'hang.log'), startTimeoutMs: 300 }).catch((e: unknown) => e);
  t.ok(err instanceof QemuStartError);
  t.match(err, { message: /no QMP greeting and capabilities from .*hang\.qmp within 300 ms/ });
  t.same(children(), [], 'the hung process was killed and reaped');
});

t.test('refuses what it cannot supervise', async (t) => {
  await t.rejects(QemuProcess.start({ binary: '/nonexistent/qemu', args: [], monitorPath: path.join(dir, 'x.qmp'), pidFile: path.join(dir, 'x.pid'), logFile: path.join(dir, 'x.log') }), {
    name: 'QemuStartError',
    message: /^cannot execute \/nonexistent\/qemu: spawn \/nonexistent\/qemu ENOENT/,
  });
  await t.rejects(QemuProcess.start({ binary: QEMU, args: ['-daemonize'], monitorPath: path.join(dir, 'x.qmp'), pidFile: path.join(dir, 'x.pid'), logFile: path.join(dir, 'x.log') }), TypeError);
  await t.rejects(QemuProcess.start({ binary: QEMU, args: [], monitorPath: path.join(dir, `${'x'.repeat(120)}.qmp`), pidFile: path.join(dir, 'x.pid'), logFile: path.join(dir, 'x.log') }), {
    name: 'TypeError',
    message: /longer than 107 bytes/,
  });
  t.same(children(), []);
});
