import t from 'tap';
import {
  decodeErrorBody, decodeJsonBody, encodeErrorBody, encodeFrame, encodeJsonBody, encodeJsonFrame, FrameDecoder, FrameSize, MessageStatus, MessageType, Program, ProgramVersion,
} from '../../src/rpc/index.js';
import { bytes } from './fixtures/frames.js';

const fails = (reason: string, message?: RegExp) => ({ name: 'RpcProtocolError', reason, ...(message && { message }) });

t.test('JSON bodies are UTF-8 JSON text', async (t) => {
  // {"name":"é"} with é as the two bytes c3 a9
  const body = bytes('7b 22 6e 61 6d 65 22 3a 22 c3 a9 22 7d');
  t.same(encodeJsonBody({ name: 'é' }), body);
  t.same(decodeJsonBody(body), { name: 'é' });
  t.same(decodeJsonBody(new Uint8Array(body)), { name: 'é' }, 'from a plain Uint8Array');
  t.same(decodeJsonBody(new Uint8Array(Buffer.from('xx{"a":1}yy')).subarray(2, 9)), { a: 1 }, 'a view is read within its bounds');
});

t.test('the empty body is no value', async (t) => {
  t.same(encodeJsonBody(undefined), Buffer.alloc(0));
  t.equal(decodeJsonBody(Buffer.alloc(0)), undefined);
  t.same(encodeJsonBody(null), Buffer.from('null'), 'null is a value, not the empty body');
  t.equal(decodeJsonBody(Buffer.from('null')), null);
});

t.test('round trips', async (t) => {
  const values = [0, -1.5, true, 'a "quoted" line\n', 'astral 😀 and lone \ud800', [], [1, [2, { x: null }]], { uuid: 'c7a5fdbd-edaf-9455-926a-d65c16db1809', state: 1 }];
  for (const value of values) t.same(decodeJsonBody(encodeJsonBody(value)), value, JSON.stringify(value));
});

t.test('values that JSON cannot carry', async (t) => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(() => encodeJsonBody(cyclic), fails('bad-json', /cannot be sent as JSON/));
  t.throws(() => encodeJsonBody({ n: 1n }), fails('bad-json', /BigInt/));
  t.throws(() => encodeJsonBody(() => 1), fails('bad-json', /a function cannot be sent as JSON/));
  t.throws(() => encodeJsonBody(Symbol('s')), fails('bad-json', /a symbol/));
});

t.test('the size bound, both ways', async (t) => {
  t.equal(encodeJsonBody('x'.repeat(8), 10).length, 10, '"xxxxxxxx" is exactly 10 bytes');
  t.throws(() => encodeJsonBody('x'.repeat(9), 10), fails('too-long', /11 bytes, above the maximum of 10/));
  t.throws(() => encodeJsonBody('é'.repeat(5), 11), fails('too-long'), 'bytes are counted, not characters');
  t.throws(() => decodeJsonBody(Buffer.from('"xxxxxxxxx"'), 10), fails('too-long'));
  t.throws(() => decodeJsonBody(Buffer.alloc(FrameSize.DEFAULT_MAX_BODY + 1, 0x20)), fails('too-long'), 'default: 32 MiB less the header');
});

t.test('bodies that are not JSON', async (t) => {
  for (const text of ['{"a":', '{"a":1} x', "{'a':1}", 'undefined', 'NaN', ' ']) {
    t.throws(() => decodeJsonBody(Buffer.from(text)), fails('bad-json', /not valid JSON/), JSON.stringify(text));
  }
});

t.test('bodies that are not UTF-8', async (t) => {
  const cases = {
    'Latin-1 é': '22 e9 22',
    'lone continuation byte': '22 80 22',
    'overlong /': '22 c0 af 22',
    'truncated sequence': '22 e2 82 22',
    'UTF-8-encoded surrogate (CESU-8)': '22 ed a0 80 22',
    'above U+10FFFF': '22 f4 90 80 80 22',
  };
  for (const [name, hex] of Object.entries(cases)) t.throws(() => decodeJsonBody(bytes(hex)), fails('bad-utf8', /not valid UTF-8$/), name);
});

t.test('bodies in another Unicode encoding say so', async (t) => {
  // {"a":1} in each encoding
  t.throws(() => decodeJsonBody(bytes('ff fe 7b 00 22 00 61 00 22 00 3a 00 31 00 7d 00')), fails('bad-utf8', /UTF-16 byte-order mark/), 'UTF-16LE with BOM');
  t.throws(() => decodeJsonBody(bytes('fe ff 00 7b 00 22 00 61 00 22 00 3a 00 31 00 7d')), fails('bad-utf8', /UTF-16 byte-order mark/), 'UTF-16BE with BOM');
  t.throws(() => decodeJsonBody(bytes('00 7b 00 22 00 61 00 22 00 3a 00 31 00 7d')), fails('bad-json', /looks like UTF-16 or UTF-32/), 'UTF-16BE without BOM is valid UTF-8 but not JSON');
  t.throws(() => decodeJsonBody(bytes('7b 00 00 00 22 00 00 00 7d 00 00 00')), fails('bad-json', /looks like UTF-16 or UTF-32/), 'UTF-32LE');
  t.throws(() => decodeJsonBody(bytes('ef bb bf 7b 22 61 22 3a 31 7d')), fails('bad-json', /UTF-8 byte-order mark/), 'UTF-8 with BOM');
});

t.test('error bodies', async (t) => {
  const full = { code: 42, domain: 10, level: 2, message: "Domain not found: no domain with matching name 'vm1'", str1: 'Domain not found', str2: 'vm1', str3: null, int1: -1, int2: 7 };
  const text = '{"code":42,"domain":10,"level":2,"message":"Domain not found: no domain with matching name \'vm1\'","str1":"Domain not found","str2":"vm1","str3":null,"int1":-1,"int2":7}';
  t.equal(encodeErrorBody(full).toString('utf8'), text, 'the nine fields, in libvirt\'s order');
  t.same(decodeErrorBody(Buffer.from(text)), full);

  const minimal = { code: 1, domain: 0, level: 2, message: 'internal error' };
  const filled = { ...minimal, str1: null, str2: null, str3: null, int1: -1, int2: -1 };
  t.equal(encodeErrorBody(minimal).toString(), JSON.stringify(filled), 'absent fields are sent filled in');
  t.same(decodeErrorBody(Buffer.from(JSON.stringify(minimal))), filled, 'absent fields are filled in on receipt');

  const withExtras = decodeErrorBody(Buffer.from(JSON.stringify({ ...full, net: 3, future: { x: 1 } })));
  t.same(Object.keys(withExtras), Object.keys(full), 'unknown fields are dropped');
});

t.test('error bodies that are not errors', async (t) => {
  t.throws(() => decodeErrorBody(Buffer.alloc(0)), fails('bad-error-body', /must be a JSON object, it is empty/));
  t.throws(() => decodeErrorBody(Buffer.from('[1]')), fails('bad-error-body', /it is an array/));
  t.throws(() => decodeErrorBody(Buffer.from('null')), fails('bad-error-body', /it is null/));
  t.throws(() => decodeErrorBody(Buffer.from('"boom"')), fails('bad-error-body', /it is a string/));
  t.throws(() => decodeErrorBody(Buffer.from('{"code":1,')), fails('bad-json'));
  t.throws(() => decodeErrorBody(Buffer.from('{}')), fails('bad-error-body', /fields: code, domain, level, message$/));
  const bad = { code: 1.5, domain: '0', level: 2, message: null, str1: 1, str2: 5, str3: false, int1: 'x', int2: 2 ** 53 };
  t.throws(() => decodeErrorBody(Buffer.from(JSON.stringify(bad))), fails('bad-error-body', /fields: code, domain, message, str1, str2, str3, int1, int2$/));
});

t.test('encodeJsonFrame makes the frame encodeFrame makes of the JSON body, in one buffer', async (t) => {
  const header = { program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure: 23, type: MessageType.REPLY, serial: 9, status: MessageStatus.OK };
  for (const value of [undefined, null, 'astral 😀 é', [1, { x: 'y' }], 'x'.repeat(100_000)]) {
    const frame = encodeJsonFrame(header, value);
    t.same(frame, encodeFrame(header, encodeJsonBody(value)), JSON.stringify(value)?.slice(0, 30) ?? 'undefined');
    const [decoded] = [...new FrameDecoder().push(frame)];
    t.same(decodeJsonBody(decoded!.body), value);
  }
  // "xxxxxxxx" is 10 bytes: with the 24-byte header exactly a 34-byte message.
  t.equal(encodeJsonFrame(header, 'x'.repeat(8), 34).length, 38);
  t.throws(() => encodeJsonFrame(header, 'x'.repeat(9), 34), fails('too-long'));
  t.throws(() => encodeJsonFrame(header, 'é'.repeat(5), 34), fails('too-long'), 'bytes are counted, not characters');
  t.throws(() => encodeJsonFrame(header, { n: 1n }), fails('bad-json', /BigInt/));
});
