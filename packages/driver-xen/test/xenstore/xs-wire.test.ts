// The xenstore wire codec on hand-built bytes (xs_wire.h's layout: four little-endian
// words, then the payload), whole and split at every offset, and its bounds.

import t from 'tap';
import {
  PAYLOAD_MAX, XsDecoder, XsProtocolError, XsType, decodeStrings, encodeMessage, encodePathValue, encodeStrings, formatPerm, parsePerm,
} from '../../src/xenstore/xs-wire.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// XS_READ "/a", request 7, no transaction
const readRequest = hex('02000000 07000000 00000000 03000000 2f6100');
// its reply: "hi" (a value carries no NUL)
const readReply = hex('02000000 07000000 00000000 02000000 6869');
// an error reply to request 8: "ENOENT\0"
const errorReply = hex('10000000 08000000 00000000 07000000 454e4f454e5400');
// a watch event: path "/a", token "t1"
const watchEvent = hex('0f000000 00000000 00000000 06000000 2f6100 743100');
// XS_TRANSACTION_END "T" in transaction 0x01020304
const commit = hex('07000000 09000000 04030201 02000000 5400');
// XS_WRITE "/a" = "v" (empty payload edge: a directory reply with no children follows)
const write = hex('0b000000 0a000000 00000000 04000000 2f610076');
const emptyDirectory = hex('01000000 0b000000 00000000 00000000');

const stream = Buffer.concat([readReply, errorReply, watchEvent, commit, emptyDirectory]);
const expected = [
  { type: XsType.READ, reqId: 7, txId: 0, payload: hex('6869') },
  { type: XsType.ERROR, reqId: 8, txId: 0, payload: hex('454e4f454e5400') },
  { type: XsType.WATCH_EVENT, reqId: 0, txId: 0, payload: hex('2f6100743100') },
  { type: XsType.TRANSACTION_END, reqId: 9, txId: 0x01020304, payload: hex('5400') },
  { type: XsType.DIRECTORY, reqId: 11, txId: 0, payload: Buffer.alloc(0) },
];

t.test('encoding: the header words little-endian, the payload as given', async (t) => {
  t.same(encodeMessage({ type: XsType.READ, reqId: 7, txId: 0, payload: encodeStrings(['/a']) }), readRequest);
  t.same(encodeMessage({ type: XsType.TRANSACTION_END, reqId: 9, txId: 0x01020304, payload: encodeStrings(['T']) }), commit);
  t.same(encodeMessage({ type: XsType.WRITE, reqId: 10, txId: 0, payload: encodePathValue('/a', 'v') }), write);
  t.throws(() => encodeMessage({ type: XsType.WRITE, reqId: 1, txId: 0, payload: Buffer.alloc(PAYLOAD_MAX + 1) }), RangeError);
  t.equal(encodeMessage({ type: XsType.WRITE, reqId: 1, txId: 0, payload: Buffer.alloc(PAYLOAD_MAX) }).length, 16 + PAYLOAD_MAX);
});

t.test('decoding a stream of messages whole', async (t) => {
  t.same(new XsDecoder().push(stream), expected);
});

t.test('decoding the same stream split in two at every offset', async (t) => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new XsDecoder();
    const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    if (JSON.stringify(got) !== JSON.stringify(expected)) t.fail(`split at ${cut}`);
    t.equal(d.pending, 0, `nothing left over after the split at ${cut}`);
  }
});

t.test('decoding the stream one byte at a time', async (t) => {
  const d = new XsDecoder();
  const got = [];
  for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)));
  t.same(got, expected);
});

t.test('a declared length over 4096 is a protocol error as soon as the header is in, whatever follows', async (t) => {
  const d = new XsDecoder();
  t.same(d.push(hex('02000000 01000000 00000000')), []);
  t.throws(() => d.push(hex('01100000')), XsProtocolError, '4097 bytes declared');
  t.throws(() => new XsDecoder().push(hex('02000000 01000000 00000000 ffffffff')), /4294967295 payload bytes/);
  // exactly 4096 is allowed, and held until complete
  const big = new XsDecoder();
  t.same(big.push(hex('02000000 01000000 00000000 00100000')), []);
  t.equal(big.push(Buffer.alloc(PAYLOAD_MAX, 0x61))[0].payload.length, PAYLOAD_MAX);
});

t.test('NUL-separated strings, with and without the last NUL', async (t) => {
  t.same(decodeStrings(hex('6100626300')), ['a', 'bc']);
  t.same(decodeStrings(hex('61006263')), ['a', 'bc']);
  t.same(decodeStrings(Buffer.alloc(0)), []);
  t.same(decodeStrings(hex('00')), ['']);
  t.same(encodeStrings(['/a', 'tok']), hex('2f6100 746f6b00'));
});

t.test('permissions: letter and domain id', async (t) => {
  t.same(parsePerm('n0'), { domid: 0, read: false, write: false });
  t.same(parsePerm('r5'), { domid: 5, read: true, write: false });
  t.same(parsePerm('w65535'), { domid: 65535, read: false, write: true });
  t.same(parsePerm('b12'), { domid: 12, read: true, write: true });
  for (const bad of ['', 'x1', 'r', 'r-1', 'r65536', 'r123456', 'b1 ', 'R1']) t.throws(() => parsePerm(bad), XsProtocolError, bad);
  t.equal(formatPerm({ domid: 3, read: true, write: true }), 'b3');
  t.equal(formatPerm({ domid: 0, read: false, write: false }), 'n0');
  t.throws(() => formatPerm({ domid: 70000, read: true, write: false }), RangeError);
});
