// The client's channel facing peers that answer badly: every call under way ends with
// a VirError, none waits forever. The peers here are hand-made frame writers (fakes:
// no real daemon sends these bytes on purpose).
import { PassThrough, Duplex } from 'node:stream';
import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/index.js';
import { encodeFrame, MessageStatus, MessageType, Program, FrameDecoder, type Frame } from '../../src/rpc/index.js';
import { RpcChannel } from '../../src/remote/rpc-channel.js';

/** A channel whose peer is the test: what the channel writes is decoded into `sent`. */
function fakePeer() {
  const toChannel = new PassThrough();
  const fromChannel = new PassThrough();
  const stream = Duplex.from({ readable: toChannel, writable: fromChannel });
  const sent: Frame[] = [];
  const decoder = new FrameDecoder();
  fromChannel.on('data', (chunk: Buffer) => { for (const f of decoder.push(chunk)) sent.push({ header: f.header, body: Buffer.from(f.body) }); });
  const closed: VirError[] = [];
  const channel = new RpcChannel(stream, { onEvent: () => undefined, onClose: (e) => closed.push(e) }, { intervalMs: 0, count: 0 });
  const reply = (serial: number, status: number, body: Uint8Array) => toChannel.write(encodeFrame({
    program: Program.TSVIRT, version: 1, procedure: 3, type: MessageType.REPLY, serial, status,
  }, body));
  return { channel, sent, reply, closed, toChannel };
}
const tick = () => new Promise((r) => setImmediate(r));

t.test('fake peer: an error reply whose body is not an error fails the call (and the others), it is not dropped', async (t) => {
  const { channel, sent, reply, closed } = fakePeer();
  const first = channel.call(3, []);
  const second = channel.call(4, []);
  await tick();
  t.equal(sent.length, 2);
  // libvirt's remote_error, in XDR, where a JSON error is expected
  reply(sent[0]!.header.serial, MessageStatus.ERROR, Buffer.from('0000002700000007000000010000000478797a7a', 'hex'));
  for (const call of [first, second]) {
    const e = await call.then(() => null, (err: unknown) => err);
    t.ok(VirError.is(e, ErrorNumber.RPC, ErrorDomain.RPC), 'VIR_ERR_RPC from VIR_FROM_RPC');
    t.match((e as VirError).message, /^Unable to decode message payload: [ -~]+$/);
  }
  t.ok(channel.closed, 'a peer that breaks the protocol is dropped');
  t.equal(closed.length, 1);
});

t.test('fake peer: a reply that does not decode fails its call; a reply for no call is ignored', async (t) => {
  const { channel, sent, reply } = fakePeer();
  const call = channel.call(3, []);
  await tick();
  reply(sent[0]!.header.serial + 100, MessageStatus.OK, Buffer.from('"stray"'));
  await tick();
  t.notOk(channel.closed, 'a reply nobody waits for is not fatal');
  reply(sent[0]!.header.serial, MessageStatus.OK, Buffer.from('{not json'));
  await t.rejects(call, { code: ErrorNumber.RPC, domain: ErrorDomain.RPC, message: /not valid JSON/ });
});

t.test('fake peer: a frame announcing more than the maximum fails the calls at once, before its body is awaited', async (t) => {
  const { channel, toChannel } = fakePeer();
  const call = channel.call(3, []);
  const header = Buffer.alloc(28);
  header.writeUInt32BE(64 * 1024 * 1024, 0);
  toChannel.write(header.subarray(0, 8));
  await t.rejects(call, { code: ErrorNumber.RPC, message: /exceeds the maximum/ });
});
