import t from 'tap';
import { decodeHeader, encodeFrame, FrameSize, MessageStatus, MessageType, Program } from '../../src/rpc/index.js';
import { bytes, decoded, extremes, ping, remoteReply, tsvirtCall } from './fixtures/frames.js';

t.test('encodeFrame writes the hand-built bytes', async (t) => {
  t.same(encodeFrame(decoded.ping.header), ping, 'keepalive PING, empty body by default');
  t.same(encodeFrame(decoded.tsvirtCall.header, decoded.tsvirtCall.body), tsvirtCall);
  t.same(encodeFrame(decoded.remoteReply.header, decoded.remoteReply.body), remoteReply);
  t.same(encodeFrame(decoded.extremes.header, decoded.extremes.body), extremes, 'uint32 and int32 extremes');
  t.same(encodeFrame(decoded.tsvirtCall.header, new Uint8Array(decoded.tsvirtCall.body)), tsvirtCall, 'a plain Uint8Array body');
});

t.test('decodeHeader reads the 24 bytes after the length word', async (t) => {
  for (const [name, frame] of Object.entries({ ping, tsvirtCall, remoteReply, extremes })) {
    const want = decoded[name as keyof typeof decoded].header;
    t.same(decodeHeader(frame, FrameSize.LENGTH_WORD), want, name);
    t.same(decodeHeader(frame.subarray(4, 28)), want, `${name}, header alone`);
    t.same(decodeHeader(new Uint8Array(frame).subarray(4)), want, `${name}, Uint8Array view`);
  }
});

t.test('round trip through encodeFrame and decodeHeader', async (t) => {
  const header = { program: Program.TSVIRT, version: 1, procedure: 0x7fffffff, type: MessageType.REPLY, serial: 123456, status: MessageStatus.ERROR };
  const frame = encodeFrame(header, Buffer.from('xyz'));
  t.equal(frame.readUInt32BE(0), 31, 'the length word counts itself');
  t.same(decodeHeader(frame, 4), header);
  t.same(frame.subarray(28), Buffer.from('xyz'));
});

t.test('decodeHeader rejects a short header and unknown type or status', async (t) => {
  const reason = (reason: string) => ({ name: 'RpcProtocolError', reason });
  t.throws(() => decodeHeader(bytes('74737672 00000001 00000017 00000000 00000001')), reason('too-short'), '20 bytes');
  t.throws(() => decodeHeader(ping, 5), reason('too-short'), 'offset leaves 23 bytes');
  t.throws(() => decodeHeader(bytes('74737672 00000001 00000017 00000007 00000001 00000000')), reason('bad-type'), 'type 7');
  t.throws(() => decodeHeader(bytes('74737672 00000001 00000017 ffffffff 00000001 00000000')), reason('bad-type'), 'type -1');
  t.throws(() => decodeHeader(bytes('74737672 00000001 00000017 00000000 00000001 00000003')), reason('bad-status'), 'status 3');
  t.throws(() => decodeHeader(bytes('74737672 00000001 00000017 00000000 00000001 80000000')), reason('bad-status'), 'status -2^31');
});

t.test('encodeFrame refuses what it could not write faithfully', async (t) => {
  const h = decoded.tsvirtCall.header;
  t.throws(() => encodeFrame({ ...h, type: 7 as MessageType }), { name: 'RpcProtocolError', reason: 'bad-type' });
  t.throws(() => encodeFrame({ ...h, status: 3 as MessageStatus }), { name: 'RpcProtocolError', reason: 'bad-status' });
  t.throws(() => encodeFrame({ ...h, serial: 2 ** 32 }), RangeError, 'serial above uint32');
  t.throws(() => encodeFrame({ ...h, serial: 1.5 }), RangeError, 'fractional serial');
  t.throws(() => encodeFrame({ ...h, procedure: 2 ** 31 }), RangeError, 'procedure above int32');
  t.throws(() => encodeFrame({ ...h, program: NaN }), RangeError, 'NaN program');
  t.throws(() => encodeFrame({ ...h, version: -1 }), RangeError, 'negative version');
});

t.test('encodeFrame bounds the message (header and body) by maxMessage', async (t) => {
  const h = decoded.tsvirtCall.header;
  t.equal(encodeFrame(h, Buffer.alloc(76), 100).length, 104, 'exactly the maximum: 24 + 76, plus the length word');
  t.throws(() => encodeFrame(h, Buffer.alloc(77), 100), { name: 'RpcProtocolError', reason: 'too-long' });
  t.throws(() => encodeFrame(h, Buffer.alloc(FrameSize.DEFAULT_MAX_BODY + 1)), { name: 'RpcProtocolError', reason: 'too-long' }, 'default 32 MiB');
});
