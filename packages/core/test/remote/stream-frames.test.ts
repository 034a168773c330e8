// Both ends of a stream over STREAM frames, with the frames captured by hand:
// what each end sends for data, an end and a failure, and what it does with each.

import { EventEmitter } from 'node:events';
import { Duplex, PassThrough } from 'node:stream';
import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/index.js';
import {
  MessageStatus, STREAM_BACKLOG_MAX, decodeErrorBody, decodeXdr, encodeErrorBody, encodeXdr, relayStream, remoteStream, remoteStreamErrors,
  remote_error, type RemoteErrorValue,
} from '../../src/entry-points/protocol.js';

type Sent = [number, string];
const capture = () => {
  const sent: Sent[] = [];
  return { sent, send: (status: number, body?: Uint8Array) => sent.push([status, body ? Buffer.from(body).toString('latin1') : '']) };
};
const failure = new VirError({ code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.QEMU, level: 2, message: 'operation failed: gone' });
const tick = () => new Promise((r) => setImmediate(r));

/** A connection's socket as flow control sees it: full or not, and a drain to emit. */
class FakePeer extends EventEmitter {
  writableNeedDrain = false;
  drain(): void {
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}
const idlePeer = () => new FakePeer();

t.test('the client end: writes go out as CONTINUE, end() as an empty OK; CONTINUE comes in as data, OK as the end', async (t) => {
  const { sent, send } = capture();
  const { stream, receive } = remoteStream(send, idlePeer());
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
  const a = remoteStream(() => undefined, idlePeer());
  const failed = new Promise((r) => a.stream.once('error', r));
  a.receive(MessageStatus.ERROR, encodeErrorBody(failure));
  t.same(((await failed) as VirError).toJSON(), failure.toJSON());

  const b = remoteStream(() => undefined, idlePeer());
  const lost = new Promise((r) => b.stream.once('error', r));
  b.abort(failure);
  t.equal(((await lost) as VirError).message, 'operation failed: gone');

  const c = remoteStream(() => undefined, idlePeer());
  c.stream.on('error', () => t.fail('no error for a connection closed on purpose'));
  c.abort();
  await tick();
  t.ok(c.stream.destroyed);
});

t.test('the serving end: the driver\'s data goes out as CONTINUE and its end as OK, once; frames in are written to it', async (t) => {
  const { sent, send } = capture();
  const local = new PassThrough();
  const link = relayStream(local, send, idlePeer());
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
  relayStream(failing, a.send, idlePeer());
  failing.destroy(failure);
  await new Promise((r) => failing.once('close', r));
  t.equal(a.sent.length, 1);
  t.equal(a.sent[0]![0], MessageStatus.ERROR);
  t.same(decodeErrorBody(Buffer.from(a.sent[0]![1], 'latin1')).message, 'operation failed: gone');

  const b = capture();
  const taken = new PassThrough();
  relayStream(taken, b.send, idlePeer());
  taken.destroy();
  await new Promise((r) => taken.once('close', r));
  t.same(b.sent, [[MessageStatus.OK, '']]);

  const c = capture();
  const local = new PassThrough();
  const link = relayStream(local, c.send, idlePeer());
  link.abort();
  await new Promise((r) => local.once('close', r));
  t.ok(local.destroyed, 'a client gone: the driver stream is closed');
});

t.test("libvirt's program: a stream's ERROR frames carry libvirt's remote_error, both ways", async (t) => {
  const a = capture();
  const failing = new PassThrough();
  relayStream(failing, a.send, idlePeer(), remoteStreamErrors);
  failing.destroy(failure);
  await new Promise((r) => failing.once('close', r));
  t.equal(a.sent[0]![0], MessageStatus.ERROR);
  const wire = decodeXdr(remote_error, Buffer.from(a.sent[0]![1], 'latin1')) as RemoteErrorValue;
  t.match(wire, { code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.QEMU, message: 'operation failed: gone', level: 2 }, 'as libvirt encodes it');

  // libvirt's client aborts a stream (virStreamAbort) with an ERROR frame of its own
  const { stream, receive } = remoteStream(capture().send, idlePeer(), remoteStreamErrors);
  const failed = new Promise<VirError>((r) => stream.once('error', r));
  receive(MessageStatus.ERROR, encodeXdr(remote_error, { code: ErrorNumber.OPERATION_ABORTED, domain: ErrorDomain.STREAMS, message: 'operation aborted', level: 2, dom: null, str1: null, str2: null, str3: null, int1: 0, int2: 0, net: null }));
  t.match(await failed, { code: ErrorNumber.OPERATION_ABORTED, message: 'operation aborted' });

  const garbled = remoteStream(capture().send, idlePeer(), remoteStreamErrors);
  const lost = new Promise<VirError>((r) => garbled.stream.once('error', r));
  garbled.receive(MessageStatus.ERROR, Buffer.from([1, 2, 3]));
  t.match(await lost, { code: ErrorNumber.RPC, message: /an error of 3 bytes that does not decode/ }, 'an error body that does not decode still fails the stream');
});

t.test('flow control: a guest that writes faster than the peer reads waits; a client\'s writes wait for its socket', async (t) => {
  const peer = new FakePeer();
  const { sent, send } = capture();
  const guest = new PassThrough();
  relayStream(guest, send, peer);
  peer.writableNeedDrain = true;
  guest.write('a');
  await tick();
  t.ok(guest.isPaused(), 'the guest\'s output is paused while the socket is full');
  guest.write('b');
  await tick();
  t.same(sent.map(([, b]) => b), ['a'], 'and nothing more is sent');
  peer.drain();
  await tick();
  t.same(sent.map(([, b]) => b), ['a', 'b'], 'until it drains');

  const clientPeer = new FakePeer();
  const { stream } = remoteStream(() => undefined, clientPeer);
  clientPeer.writableNeedDrain = true;
  let written = false;
  stream.write('x', () => { written = true; });
  await tick();
  t.notOk(written, 'a write is not done while the socket is full');
  clientPeer.drain();
  await tick();
  t.ok(written, 'and is once it drains');
});

t.test('a peer that sends far more than the serving end takes fails the stream, with an ERROR frame', async (t) => {
  const { sent, send } = capture();
  // A guest that never takes what is written to it.
  const local = new Duplex({ read() {}, write() {} });
  const link = relayStream(local, send, idlePeer());
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 6; i++) link.receive(MessageStatus.CONTINUE, chunk);
  await new Promise((r) => local.once('close', r));
  t.equal(sent.at(-1)![0], MessageStatus.ERROR);
  t.match(decodeErrorBody(Buffer.from(sent.at(-1)![1], 'latin1')), {
    code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.STREAMS, message: `operation failed: more than ${STREAM_BACKLOG_MAX} bytes wait to be written to the stream`,
  });
});
