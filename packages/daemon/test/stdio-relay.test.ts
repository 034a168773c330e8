// tsvirtd --relay URI: a client's frames on stdin/stdout carried to the daemon the URI names
// (here over its unix socket; the bindings' tests relay Perl over TLS), and a connect that
// fails answered as the client's open call.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import {
  ConnectionProcedure, FrameDecoder, MessageStatus, MessageType, Program, ProgramVersion, decodeErrorBody, decodeJsonBody, encodeFrame, encodeJsonBody,
  procedures, type Frame,
} from '@tsvirt/core/protocol';
import { NODE, socketDir, startDaemon, TSVIRTD } from './fixtures/daemon-harness.js';

const GET_TYPE = procedures.find((p) => p.driverName === 'connectGetType')!.proc;
const call = (procedure: number, body: unknown, serial: number) => encodeFrame(
  { program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure, type: MessageType.CALL, serial, status: MessageStatus.OK }, encodeJsonBody(body));

/** Run the relay, send `input`, and collect `count` frames; then close its stdin and see it exit. */
async function relay(uri: string, input: Buffer, count: number): Promise<{ frames: Frame[]; code: number | null }> {
  const proc = spawn('/usr/bin/env', [...NODE, TSVIRTD, '--relay', uri], { stdio: ['pipe', 'pipe', 'inherit'] });
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  proc.stdout.on('data', (d: Buffer) => { for (const f of decoder.push(d)) frames.push({ header: f.header, body: Buffer.from(f.body) }); });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  proc.stdin.write(input);
  for (let i = 0; i < 600 && frames.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  proc.stdin.end();
  return { frames, code: await exited };
}

t.test('--relay carries a client to the daemon its URI names, and ends with it', async (t) => {
  const daemon = await startDaemon();
  t.teardown(() => daemon.stop());
  const open = call(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 1);
  const r = await relay(`test+unix:///default?socket=${daemon.rw}`, Buffer.concat([open, call(GET_TYPE, [], 2)]), 2);
  t.strictSame(r.frames.map((f) => [f.header.serial, f.header.status, decodeJsonBody(f.body)]), [[1, MessageStatus.OK, undefined], [2, MessageStatus.OK, 'TEST']]);
  t.equal(r.code, 0, 'it exits once the client has closed');
});

t.test('--relay answers the open call with the connect error when the daemon cannot be reached', async (t) => {
  const missing = join(socketDir(), 'tsvirt-sock');
  const r = await relay(`test+unix:///default?socket=${missing}`, call(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 7), 1);
  t.equal(r.frames.length, 1);
  t.match(r.frames[0]!.header, { type: MessageType.REPLY, serial: 7, status: MessageStatus.ERROR });
  t.match(decodeErrorBody(r.frames[0]!.body), { code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.RPC, message: `Failed to connect socket to '${missing}': No such file or directory` });
  t.equal(r.code, 0);
});

t.test('--relay and --stdio are refused together', async (t) => {
  const r = spawnSync('/usr/bin/env', [...NODE, TSVIRTD, '--relay', 'test+tls://localhost/default', '--stdio'], { encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, 'tsvirtd: --relay and --stdio both serve stdin/stdout: give one');
});
