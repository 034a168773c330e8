// The QMP client against a real qemu-system-x86_64 -machine none, started here
// directly (not through QemuProcess) so that the client is tested on its own.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { QmpClient } from '../src/qmp/qmp-client.js';
import { QmpClosedError, QmpError } from '../src/qmp/qmp-error.js';
import type { QmpEvent } from '../src/qmp/qmp-wire.js';

const QEMU = process.env.TSVIRT_QEMU ?? 'qemu-system-x86_64';
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qmp-client-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** A paused (-S) QEMU with its monitor on a fresh socket; killed at the test's end. */
function startQemu(t: { teardown(fn: () => unknown): void }): { child: ChildProcess; socketPath: string } {
  const socketPath = path.join(dir, `q${++counter}.sock`);
  const child = spawn(
    QEMU,
    ['-machine', 'none', '-nodefaults', '-no-user-config', '-display', 'none', '-S',
      '-chardev', `socket,id=mon,path=${socketPath},server=on,wait=off`, '-mon', 'chardev=mon,mode=control'],
    { stdio: 'ignore' },
  );
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  return { child, socketPath };
}

t.test('connects once QEMU creates its socket, and reads the greeting', async (t) => {
  const socketPath = path.join(dir, 'late.sock');
  // Connect first: the socket does not exist yet, so the client must retry.
  const connecting = QmpClient.connect({ socketPath, timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 50));
  const child = spawn(QEMU, ['-machine', 'none', '-nodefaults', '-display', 'none',
    '-chardev', `socket,id=mon,path=${socketPath},server=on,wait=off`, '-mon', 'chardev=mon,mode=control'], { stdio: 'ignore' });
  t.teardown(async () => {
    child.kill('SIGKILL');
    await once(child, 'exit');
  });
  const client = await connecting;
  t.equal(client.greeting.kind, 'greeting');
  t.match(client.greeting.version, { major: Number, minor: Number, micro: Number, package: String });
  t.ok(client.greeting.capabilities.includes('oob'), 'QEMU offers oob');
  t.same(await client.execute('query-status'), { status: 'running', singlestep: false, running: true });
  await client.close();
});

t.test('runs commands and correlates concurrent replies', async (t) => {
  const { socketPath } = startQemu(t);
  const client = await QmpClient.connect({ socketPath });
  t.teardown(() => client.close());
  const [status, version, kvm] = await Promise.all([
    client.execute<{ status: string }>('query-status'),
    client.execute<{ qemu: { major: number } }>('query-version'),
    client.execute<{ present: boolean }>('query-kvm'),
  ]);
  t.equal(status.status, 'prelaunch');
  t.equal(version.qemu.major, client.greeting.version.major);
  t.type(kvm.present, 'boolean');
});

t.test('an error reply becomes a QmpError', async (t) => {
  const { socketPath } = startQemu(t);
  const client = await QmpClient.connect({ socketPath });
  t.teardown(() => client.close());
  await t.rejects(client.execute('no-such-command'), {
    name: 'QmpError',
    errorClass: 'CommandNotFound',
    desc: 'The command no-such-command has not been found',
    command: 'no-such-command',
    message: "unable to execute QEMU command 'no-such-command': The command no-such-command has not been found",
  });
  const err = await client.execute('query-status', { bogus: 1 }).catch((e: unknown) => e);
  t.ok(err instanceof QmpError);
  t.match(err, { errorClass: 'GenericError', desc: "Parameter 'bogus' is unexpected" });
  t.equal((await client.execute<{ status: string }>('query-status')).status, 'prelaunch', 'the monitor still works');
});

t.test('events arrive, before the reply of the command that caused them', async (t) => {
  const { socketPath } = startQemu(t);
  const client = await QmpClient.connect({ socketPath });
  t.teardown(() => client.close());
  const events: QmpEvent[] = [];
  client.on('event', (e) => events.push(e));
  await client.execute('cont');
  t.same(events.map((e) => e.event), ['RESUME'], 'RESUME seen by the time cont returns');
  await client.execute('stop');
  t.same(events.map((e) => e.event), ['RESUME', 'STOP']);
  t.ok(events.every((e) => e.timestamp.seconds > 0));
});

t.test('QEMU dying fails pending commands with "monitor closed"', async (t) => {
  const { child, socketPath } = startQemu(t);
  const client = await QmpClient.connect({ socketPath });
  const closed = once(client, 'close');
  // Freeze QEMU so the command stays unanswered, then kill it.
  child.kill('SIGSTOP');
  const pending = client.execute('query-status');
  await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await t.rejects(pending, { name: 'QmpClosedError', command: 'query-status', message: /^QEMU monitor closed while executing 'query-status': / });
  const [reason] = (await closed) as [QmpClosedError];
  t.ok(reason instanceof QmpClosedError, 'close event carries the reason');
  t.ok(client.closed);
  await t.rejects(client.execute('query-status'), QmpClosedError, 'later commands fail at once');
});

t.test('close() is clean and the monitor accepts a new client', async (t) => {
  const { socketPath } = startQemu(t);
  const first = await QmpClient.connect({ socketPath });
  await first.close();
  t.ok(first.closed);
  await t.rejects(first.execute('query-status'), { name: 'QmpClosedError', message: /closed by the client/ });
  await first.close(); // idempotent
  const second = await QmpClient.connect({ socketPath });
  t.equal((await second.execute<{ status: string }>('query-status')).status, 'prelaunch');
  await second.close();
});

t.test('gives up at the deadline, or when aborted', async (t) => {
  const socketPath = path.join(dir, 'never.sock');
  const started = Date.now();
  await t.rejects(QmpClient.connect({ socketPath, timeoutMs: 200 }), { message: /cannot connect to QEMU monitor at .*never\.sock: still ENOENT after 200 ms/ });
  t.ok(Date.now() - started < 2000, 'did not wait much past the deadline');
  const abort = new AbortController();
  setTimeout(() => abort.abort(new Error('QEMU exited')), 50);
  await t.rejects(QmpClient.connect({ socketPath, signal: abort.signal }), { message: 'QEMU exited' });
});

// QEMU never sends these, so a fake monitor stands in for it.
const GREETING = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}\r\n';

/** A fake QMP server: greets (unless told not to), answers qmp_capabilities, then runs `onCommand`. */
async function fakeMonitor(
  t: { teardown(fn: () => unknown): void },
  onCommand: (socket: net.Socket, command: { execute: string; id: string }) => void,
  greet = true,
): Promise<string> {
  const socketPath = path.join(dir, `fake${++counter}.sock`);
  const server = net.createServer((socket) => {
    if (greet) socket.write(GREETING);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const command = JSON.parse(buffered.slice(0, nl)) as { execute: string; id: string };
        buffered = buffered.slice(nl + 1);
        if (command.execute === 'qmp_capabilities') socket.write(`{"return": {}, "id": "${command.id}"}\r\n`);
        else onCommand(socket, command);
      }
    });
  });
  server.listen(socketPath);
  await once(server, 'listening');
  t.teardown(() => new Promise((r) => server.close(r)));
  return socketPath;
}

t.test('garbage on the wire closes the monitor with a protocol error (fake monitor)', async (t) => {
  const socketPath = await fakeMonitor(t, (socket) => socket.write('{"return": {}, "id": nonsense\r\n'));
  const client = await QmpClient.connect({ socketPath });
  await t.rejects(client.execute('query-status'), { name: 'QmpClosedError', message: /protocol error: QMP message is not JSON/ });
  t.ok(client.closed);
});

t.test('a reply to an unknown id closes the monitor (fake monitor)', async (t) => {
  const socketPath = await fakeMonitor(t, (socket) => socket.write('{"return": {}, "id": "someone-else"}\r\n'));
  const client = await QmpClient.connect({ socketPath });
  await t.rejects(client.execute('query-status'), { message: /reply to unknown command id "someone-else"/ });
});

t.test('a monitor that never greets fails at the deadline (fake monitor)', async (t) => {
  const socketPath = await fakeMonitor(t, () => {}, false);
  await t.rejects(QmpClient.connect({ socketPath, timeoutMs: 200 }), { name: 'QmpClosedError', message: /no QMP greeting and capabilities from .* within 200 ms/ });
});
