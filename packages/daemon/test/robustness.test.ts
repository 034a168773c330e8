import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import t from 'tap';
import { ErrorNumber } from '@tsvirt/core';
import {
  ConnectionProcedure, FrameDecoder, KeepaliveProcedure, MessageStatus, MessageType, Program, ProgramVersion, decodeErrorBody,
  decodeJsonBody, encodeFrame, encodeJsonBody, procedures,
} from '@tsvirt/core/protocol';
import { NODE, RawClient, startDaemon, TSVIRTD } from './fixtures/daemon-harness.js';

const daemon = await startDaemon(['--max-message', '65536']);
t.teardown(() => daemon.stop());
const GET_TYPE = procedures.find((p) => p.driverName === 'connectGetType')!.proc;

/** A fresh client can still open a connection and make a call. */
async function stillServing(t: Tap.Test): Promise<void> {
  const c = await RawClient.connect(daemon.rw);
  c.open('test:///default', 1);
  c.call(GET_TYPE, [], 2);
  const r = await c.reply(2);
  t.equal(decodeJsonBody(r.body), 'TEST', 'the daemon goes on serving');
  c.socket.destroy();
}

/** Send bytes and expect the daemon to hang up on this client. */
async function droppedAfter(t: Tap.Test, what: string, bytes: Buffer, end = false): Promise<void> {
  const c = await RawClient.connect(daemon.rw);
  c.send(bytes);
  if (end) c.socket.end();
  await c.closed;
  t.pass(`${what}: the client is dropped`);
  await stillServing(t);
}

const header = (over: Partial<Record<string, number>> = {}) => ({
  program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure: GET_TYPE, type: MessageType.CALL, serial: 9, status: MessageStatus.OK, ...over,
}) as Parameters<typeof encodeFrame>[0];

t.test('garbage, truncated, oversized and unknown-program frames drop that client only', async (t) => {
  await droppedAfter(t, 'random bytes', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  await droppedAfter(t, 'a length below the header', Buffer.from([0, 0, 0, 3, 1, 2, 3]));
  const whole = encodeFrame(header(), encodeJsonBody([]));
  await droppedAfter(t, 'a frame cut short', whole.subarray(0, whole.length - 3), true);
  const huge = Buffer.alloc(28);
  huge.writeUInt32BE(64 * 1024 * 1024, 0);
  await droppedAfter(t, 'a length above --max-message, before its body arrives', huge);
  // a client speaks the program of its first call: libvirt's REMOTE one after tsvirt's JSON one breaks the protocol
  await droppedAfter(t, 'a REMOTE call after a JSON call', Buffer.concat([encodeFrame(header(), encodeJsonBody([])), encodeFrame(header({ program: Program.REMOTE, version: ProgramVersion.REMOTE }))]));
  await droppedAfter(t, 'a JSON call after a REMOTE call', Buffer.concat([encodeFrame(header({ program: Program.REMOTE, version: ProgramVersion.REMOTE })), encodeFrame(header(), encodeJsonBody([]))]));
  await droppedAfter(t, 'a reply sent by a client', encodeFrame(header({ type: MessageType.REPLY })));
});

t.test('out-of-order calls get libvirt\'s errors and the client stays', async (t) => {
  const c = await RawClient.connect(daemon.rw);
  c.call(GET_TYPE, [], 1);
  t.match(decodeErrorBody((await c.reply(1)).body), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: connection not open' });
  c.open('test:///default', 2);
  t.equal((await c.reply(2)).header.status, MessageStatus.OK);
  c.open('test:///default', 3);
  t.match(decodeErrorBody((await c.reply(3)).body), { message: 'internal error: connection already open' });
  c.call(99999, [], 4);
  t.match(decodeErrorBody((await c.reply(4)).body), { code: ErrorNumber.RPC, message: 'unknown procedure: 99999' });
  c.send(encodeFrame(header({ serial: 5 }), Buffer.from('{not json')));
  t.equal((await c.reply(5)).header.status, MessageStatus.ERROR, 'a body that is not JSON is an error reply');
  c.send(encodeFrame(header({ type: MessageType.STREAM, status: MessageStatus.CONTINUE, serial: 77 }), Buffer.from('data for no stream')));
  c.send(encodeFrame(header({ type: MessageType.STREAM, status: MessageStatus.ERROR, serial: 78 }), Buffer.from('not an error body')));
  c.call(GET_TYPE, [], 6);
  t.equal(decodeJsonBody((await c.reply(6)).body), 'TEST', 'stream frames for no open stream are ignored');
  c.socket.destroy();
});

t.test('keepalive: a PING is answered with a PONG', async (t) => {
  const c = await RawClient.connect(daemon.rw);
  c.send(encodeFrame({ program: Program.KEEPALIVE, version: ProgramVersion.KEEPALIVE, procedure: KeepaliveProcedure.PING, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK }));
  while (!c.frames.length) await new Promise((r) => setTimeout(r, 5));
  t.match(c.frames[0]!.header, { program: Program.KEEPALIVE, procedure: KeepaliveProcedure.PONG, type: MessageType.MESSAGE });
  c.socket.destroy();
});

t.test('1,000 clients that connect and vanish leave the daemon serving', async (t) => {
  const partial = encodeFrame(header(), encodeJsonBody([])).subarray(0, 10);
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<void>((resolve) => {
      const s = connect(daemon.rw, () => {
        if (i % 2) s.write(partial);
        s.destroy();
        resolve();
      });
      s.on('error', () => resolve());
    })));
  }
  await stillServing(t);
});

t.test('past --max-clients a new client is disconnected at once', async (t) => {
  const small = await startDaemon(['--max-clients', '2']);
  const a = await RawClient.connect(small.rw);
  const b = await RawClient.connect(small.rw);
  const c = await RawClient.connect(small.rw);
  await c.closed;
  t.pass('the third client is dropped');
  a.open('test:///default', 1);
  t.equal((await a.reply(1)).header.status, MessageStatus.OK, 'the first two are served');
  a.socket.destroy();
  b.socket.destroy();
  t.equal(await small.stop(), 0);
});

t.test('--max-requests bounds the calls served at once; the rest wait and are all answered', async (t) => {
  const strict = await startDaemon(['--max-requests', '1']);
  const c = await RawClient.connect(strict.rw);
  c.open('test:///default', 0);
  await c.reply(0);
  const burst = Array.from({ length: 50 }, (_, i) => encodeFrame(header({ serial: i + 1 }), encodeJsonBody([])));
  c.send(Buffer.concat(burst));
  for (let i = 1; i <= 50; i++) t.equal(decodeJsonBody((await c.reply(i)).body), 'TEST', `call ${i}`);
  c.socket.destroy();
  t.equal(await strict.stop(), 0);
});

t.test('--stdio serves one client on stdin/stdout and exits when it closes', async (t) => {
  const proc = spawn('/usr/bin/env', [...NODE, TSVIRTD, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const decoder = new FrameDecoder();
  const replies: unknown[] = [];
  proc.stdout.on('data', (d: Buffer) => { for (const f of decoder.push(d)) replies.push(decodeJsonBody(f.body)); });
  const call = (proc_: number, body: unknown, serial: number) => encodeFrame(header({ procedure: proc_, serial }), encodeJsonBody(body));
  proc.stdin.write(Buffer.concat([call(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 1), call(GET_TYPE, [], 2)]));
  while (replies.length < 2) await new Promise((r) => setTimeout(r, 5));
  t.strictSame(replies, [undefined, 'TEST'], 'the open call has an empty reply');
  proc.stdin.end();
  t.equal(await new Promise((resolve) => proc.once('exit', resolve)), 0);
});

t.test('a second daemon on the same socket folder is refused; the first serves on, its folder intact', async (t) => {
  const first = await startDaemon();
  t.teardown(() => first.stop());
  const c = await RawClient.connect(first.rw);
  c.open('test:///default', 0);
  await c.reply(0);
  const listing = () => readdirSync(first.dir, { recursive: true }).map(String).sort();
  const before = listing();
  const second = spawnSync('/usr/bin/env', [...NODE, TSVIRTD, '--socket-dir', first.dir], { encoding: 'utf8', timeout: 30_000 });
  t.equal(second.status, 1);
  t.equal(second.stderr, `tsvirtd: another tsvirtd serves ${first.dir} (${first.rw} answers)\n`);
  const after = listing();
  t.same(before.filter((f) => !after.includes(f)), [], 'nothing in the folder was removed');
  c.call(GET_TYPE, [], 1);
  t.equal(decodeJsonBody((await c.reply(1)).body), 'TEST', 'the first daemon still answers');
  c.socket.destroy();
});
