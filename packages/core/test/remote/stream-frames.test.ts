// Both ends of a stream over STREAM frames, with the frames captured by hand:
// what each end sends for data, an end and a failure, and what it does with each.

import { PassThrough } from 'node:stream';
import t from 'tap';
import { ErrorDomain, ErrorNumber, MessageStatus, VirError, decodeErrorBody, encodeErrorBody, relayStream, remoteStream } from '../../src/index.js';

type Sent = [number, string];
const capture = () => {
  const sent: Sent[] = [];
  return { sent, send: (status: number, body?: Uint8Array) => sent.push([status, body ? Buffer.from(body).toString('latin1') : '']) };
};
const failure = new VirError({ code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.QEMU, level: 2, message: 'operation failed: gone' });
const tick = () => new Promise((r) => setImmediate(r));

t.test('the client end: writes go out as CONTINUE, end() as an empty OK; CONTINUE comes in as data, OK as the end', async (t) => {
  const { sent, send } = capture();
  const { stream, receive } = remoteStream(send);
  stream.write('ab');
  stream.end('c');
  await tick();
  t.same(sent, [[MessageStatus.CONTINUE, 'ab'], [MessageStatus.CONTINUE, 'c'], [MessageStatus.OK, '']]);
  const got: string[] = [];
  stream.on('data', (d: Buffer) => got.push(d.toString()));
  const ended = new Promise((r) => stream.once('end', r));
  const reused = Buffer.from('xy');
  receive(MessageStatus.CONTINUE, reused);
  reused.fill(0); // the decoder reuses its buffer: what was received must have been copied
  receive(MessageStatus.OK, new Uint8Array());
  await ended;
  t.same(got, ['xy']);
});

t.test('the client end: an ERROR frame fails the stream with the VirError it carries; a lost connection fails it, a closed one just ends it', async (t) => {
  const a = remoteStream(() => undefined);
  const failed = new Promise((r) => a.stream.once('error', r));
  a.receive(MessageStatus.ERROR, encodeErrorBody(failure));
  t.same(((await failed) as VirError).toJSON(), failure.toJSON());

  const b = remoteStream(() => undefined);
  const lost = new Promise((r) => b.stream.once('error', r));
  b.abort(failure);
  t.equal(((await lost) as VirError).message, 'operation failed: gone');

  const c = remoteStream(() => undefined);
  c.stream.on('error', () => t.fail('no error for a connection closed on purpose'));
  c.abort();
  await tick();
  t.ok(c.stream.destroyed);
});

t.test('the serving end: the driver\'s data goes out as CONTINUE and its end as OK, once; frames in are written to it', async (t) => {
  const { sent, send } = capture();
  const local = new PassThrough();
  const link = relayStream(local, send);
  // What the peer sends is written to the local stream: a PassThrough gives it straight back, to be sent.
  link.receive(MessageStatus.CONTINUE, Buffer.from('hello'));
  await tick();
  t.same(sent, [[MessageStatus.CONTINUE, 'hello']]);
  link.receive(MessageStatus.OK, new Uint8Array());
  await new Promise((r) => local.once('close', r));
  t.same(sent.slice(1), [[MessageStatus.OK, '']], 'its end goes out once, though it also closes');
});

t.test('the serving end: a driver stream that fails sends ERROR; one destroyed with no end (a forced takeover) still sends OK', async (t) => {
  const a = capture();
  const failing = new PassThrough();
  relayStream(failing, a.send);
  failing.destroy(failure);
  await new Promise((r) => failing.once('close', r));
  t.equal(a.sent.length, 1);
  t.equal(a.sent[0]![0], MessageStatus.ERROR);
  t.same(decodeErrorBody(Buffer.from(a.sent[0]![1], 'latin1')).message, 'operation failed: gone');

  const b = capture();
  const taken = new PassThrough();
  relayStream(taken, b.send);
  taken.destroy();
  await new Promise((r) => taken.once('close', r));
  t.same(b.sent, [[MessageStatus.OK, '']]);

  const c = capture();
  const local = new PassThrough();
  const link = relayStream(local, c.send);
  link.abort();
  await new Promise((r) => local.once('close', r));
  t.ok(local.destroyed, 'a client gone: the driver stream is closed');
});
