// The client's channel facing peers that answer badly: every call under way ends with
// a VirError, none waits forever. The peers here are hand-made frame writers (fakes:
// no real daemon sends these bytes on purpose).
import { PassThrough, Duplex } from 'node:stream';
import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/index.js';
import { encodeFrame, MessageStatus, MessageType, Program, FrameDecoder, type Frame } from '../../src/rpc/index.js';
import { randomBytes } from 'node:crypto';
import { RpcChannel } from '../../src/remote/rpc-channel.js';
import { remoteProgram } from '../../src/remote/remote-wire-program.js';
import { RemoteProcedure, remoteProcedureByNumber } from '../../src/gen/remote-program.gen.js';
import { encodeXdr } from '../../src/rpc/xdr/xdr-writer.js';

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

/** A channel in libvirt's program whose peer is the test. */
function fakeLibvirtd() {
  const peer = fakePeer();
  peer.channel.useProgram(remoteProgram);
  const reply = (serial: number, proc: number, status: number, body: Uint8Array) => peer.toChannel.write(encodeFrame({
    program: Program.REMOTE, version: 1, procedure: proc, type: MessageType.REPLY, serial, status,
  }, body));
  return { ...peer, reply };
}

t.test('fake peer, libvirt\'s program: every cut of a reply and random bodies fail the call with VIR_ERR_RPC, never a hang or a crash', async (t) => {
  const lookup = remoteProcedureByNumber.get(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME)!;
  const good = encodeXdr(lookup.ret!, { dom: { name: 'test', uuid: Buffer.alloc(16, 1), id: 1 } });
  const bodies = [...Array.from({ length: good.length }, (_, n) => good.subarray(0, n)), ...Array.from({ length: 50 }, () => randomBytes(Math.floor(Math.random() * 64)))];
  let failed = 0;
  for (const body of bodies) {
    const { channel, sent, reply } = fakeLibvirtd();
    const call = channel.call(lookup.number, ['test']);
    await tick();
    reply(sent[0]!.header.serial, lookup.number, MessageStatus.OK, body);
    const e = await call.then(() => null, (err: unknown) => err);
    // a random body may happen to decode; one that does not is libvirt's decode error
    if (e !== null) {
      if (!VirError.is(e, ErrorNumber.RPC, ErrorDomain.RPC)) t.fail(`not VIR_ERR_RPC: ${String(e)}`);
      failed++;
    }
  }
  t.ok(failed >= good.length, `${failed} of ${bodies.length} bodies refused, every cut among them`);
  const { channel, sent, reply } = fakeLibvirtd();
  const call = channel.call(lookup.number, ['test']);
  await tick();
  reply(sent[0]!.header.serial, lookup.number, MessageStatus.OK, good);
  t.same(await call, { name: 'test', uuid: '01010101-0101-0101-0101-010101010101', id: 1 }, 'the whole reply decodes');
});

t.test('fake peer, libvirt\'s program: a list that claims more items than its maximum is refused before anything is allocated for it', async (t) => {
  const { channel, sent, reply } = fakeLibvirtd();
  const call = channel.call(RemoteProcedure.AUTH_LIST, undefined);
  await tick();
  reply(sent[0]!.header.serial, RemoteProcedure.AUTH_LIST, MessageStatus.OK, Buffer.from('7fffffff', 'hex'));
  await t.rejects(call, { code: ErrorNumber.RPC, message: /above the maximum of 20/ });
});

t.test('fake peer, libvirt\'s program: an error reply is libvirt\'s remote_error, field by field', async (t) => {
  const { channel, sent, reply } = fakeLibvirtd();
  const call = channel.call(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, ['nosuch']);
  await tick();
  // as libvirtd sent it for virsh dominfo nosuch (VIR_ERR_NO_DOMAIN from VIR_FROM_TEST)
  reply(sent[0]!.header.serial, RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, MessageStatus.ERROR, Buffer.from(
    '0000002a0000000c0000000100000010446f6d61696e206e6f7420666f756e6400000002000000000000000100000010446f6d61696e206e6f7420666f756e640000000000000000ffffffffffffffff00000000', 'hex'));
  const e = await call.then(() => null, (err: unknown) => err) as VirError;
  t.same(e.toJSON(), { code: 42, domain: 12, level: 2, message: 'Domain not found', str1: 'Domain not found', str2: null, str3: null, int1: -1, int2: -1 });
  t.notOk(channel.closed, 'an error reply is an answer, not a broken link');
});
