import t from 'tap';
import { FrameDecoder, FrameSize, Program, RpcProtocolError, type Frame, type FrameDecoderOptions } from '../../src/rpc/index.js';
import { bytes, decoded, extremes, ping, pong, remoteReply, tsvirtCall } from './fixtures/frames.js';

/** Feeds the chunks and then ends the stream; reports the frames and the first error. */
function run(chunks: Uint8Array[], options?: FrameDecoderOptions): { frames: Frame[]; error?: RpcProtocolError } {
  const decoder = new FrameDecoder(options);
  const frames: Frame[] = [];
  try {
    for (const chunk of chunks) for (const frame of decoder.push(chunk)) frames.push(frame);
    decoder.end();
  } catch (e) {
    return { frames, error: e as RpcProtocolError };
  }
  return { frames };
}

const stream = Buffer.concat([ping, tsvirtCall, remoteReply, extremes, pong]);
const expected = [decoded.ping, decoded.tsvirtCall, decoded.remoteReply, decoded.extremes, decoded.pong];

t.test('one chunk holding many frames', async (t) => {
  const { frames, error } = run([stream]);
  t.equal(error, undefined);
  t.same(frames, expected);
  t.ok(frames.every((f) => f.body.length === 0 || f.body.buffer === stream.buffer), 'bodies are views of the chunk');
});

t.test('a Uint8Array chunk and empty chunks', async (t) => {
  t.same(run([new Uint8Array(0), new Uint8Array(stream), new Uint8Array(0)]).frames, expected);
});

t.test('split at every byte offset into two chunks', async (t) => {
  for (let i = 0; i <= stream.length; i++) {
    const { frames, error } = run([stream.subarray(0, i), stream.subarray(i)]);
    if (!t.equal(error, undefined, `split at ${i}: no error`) || !t.same(frames, expected, `split at ${i}`)) break;
  }
});

t.test('split at every pair of offsets into three chunks', async (t) => {
  let failures = 0;
  for (let i = 0; i <= stream.length; i++) {
    for (let j = i; j <= stream.length; j++) {
      const result = run([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
      if (result.error !== undefined || JSON.stringify(result.frames) !== JSON.stringify(expected)) failures++;
    }
  }
  t.equal(failures, 0);
});

t.test('one byte at a time', async (t) => {
  const chunks = [...stream].map((b) => Uint8Array.of(b));
  t.same(run(chunks).frames, expected);
});

t.test('a large body spanning chunks is gathered into one buffer of its size', async (t) => {
  const body = Buffer.alloc(100_000, 0x5a);
  const frame = Buffer.concat([bytes(`000186bc 74737672 00000001 00000001 00000001 00000009 00000000`), body]);
  const chunks: Buffer[] = [];
  for (let at = 0; at < frame.length; at += 1000) chunks.push(frame.subarray(at, at + 1000));
  const { frames, error } = run(chunks);
  t.equal(error, undefined);
  t.equal(frames.length, 1);
  t.equal(frames[0]!.header.serial, 9);
  t.same(frames[0]!.body, body);
  t.equal(frames[0]!.body.buffer.byteLength, 100_000);
});

t.test('what a length word announces is not allocated before the bytes arrive', async (t) => {
  // 100 peers each announce a frame of the largest size and send 1 KiB of its body.
  const announced = FrameSize.DEFAULT_MAX_MESSAGE;
  const start = Buffer.alloc(FrameSize.MIN_FRAME + 1024);
  start.writeUInt32BE(announced + FrameSize.LENGTH_WORD, 0);
  start.writeUInt32BE(Program.TSVIRT, 4);
  start.writeUInt32BE(1, 8);
  const before = process.memoryUsage().arrayBuffers;
  const decoders = Array.from({ length: 100 }, () => new FrameDecoder());
  for (const d of decoders) t.same([...d.push(Buffer.from(start))], [], 'no frame yet');
  const grown = process.memoryUsage().arrayBuffers - before;
  t.ok(grown < 10 * 1024 * 1024, `100 announced ${announced}-byte frames hold ${grown} bytes, not ${100 * announced}`);
  // The whole body, once it is all there, is gathered into one buffer.
  const d = decoders[0]!;
  const rest = Buffer.alloc(announced - 24 - 1024, 0x61);
  const [frame] = [...d.push(rest)];
  t.equal(frame!.body.length, announced - 24);
});

t.test('a body contiguous after a split header is still a view', async (t) => {
  const decoder = new FrameDecoder();
  t.same([...decoder.push(tsvirtCall.subarray(0, 10))], []);
  const rest = tsvirtCall.subarray(10);
  const [frame] = [...decoder.push(rest)];
  t.equal(frame!.body.buffer, rest.buffer);
});

t.test('frames left unread by one push come out of the next', async (t) => {
  const decoder = new FrameDecoder();
  decoder.push(ping);
  t.same([...decoder.push(pong)], [decoded.ping, decoded.pong]);
  decoder.end();
});

t.test('the length word is checked as soon as its 4 bytes arrive', async (t) => {
  for (const [hex, reason] of [
    ['00000000', 'too-short'],
    ['00000004', 'too-short'],
    ['0000001b', 'too-short'],
    ['ffffffff', 'too-long'],
    ['02000005', 'too-long'],
  ] as const) {
    const { error } = run([bytes(hex)]);
    t.type(error, RpcProtocolError, hex);
    t.equal(error?.reason, reason, hex);
  }
  t.match(run([bytes('0000001b')]).error?.message, /frame length 27 is below the minimum of 28/);
  t.match(run([bytes('02000005')]).error?.message, /frame length 33554437 exceeds the maximum of 33554436/);
});

t.test('the maximum, as in libvirt, bounds header and body; the length word may say 4 more', async (t) => {
  const prefix = (length: number) => bytes(length.toString(16).padStart(8, '0') + '74737672 00000001 00000001 00000000 00000001 00000000');
  const small = { maxMessage: 100 };
  t.same(run([prefix(104), Buffer.alloc(76)], small).frames.length, 1, '104 accepted with maxMessage 100');
  t.equal(run([prefix(105)], small).error?.reason, 'too-long', '105 refused before any body arrives');
  const decoder = new FrameDecoder();
  t.same([...decoder.push(prefix(FrameSize.DEFAULT_MAX_MESSAGE + 4))], [], '32 MiB + 4 accepted by default');
  t.throws(() => decoder.end(), { name: 'RpcProtocolError', reason: 'truncated' });
});

t.test('the header is checked before the body arrives', async (t) => {
  const cases = [
    ['0000ffff 12345678 00000001 00000001 00000000 00000001 00000000', 'bad-program', /unknown program 0x12345678 \(accepted: 0x74737672, 0x20008086, 0x6b656570\)/],
    ['0000ffff 74737672 00000002 00000001 00000000 00000001 00000000', 'bad-version', /program 0x74737672 version 2 is not supported/],
    ['0000ffff 74737672 00000001 00000001 00000007 00000001 00000000', 'bad-type', /unknown message type 7/],
    ['0000ffff 74737672 00000001 00000001 80000000 00000001 00000000', 'bad-type', /unknown message type -2147483648/],
    ['0000ffff 74737672 00000001 00000001 00000000 00000001 00000003', 'bad-status', /unknown message status 3/],
    ['0000ffff 74737672 00000001 00000001 00000000 00000001 ffffffff', 'bad-status', /unknown message status -1/],
  ] as const;
  for (const [hex, reason, message] of cases) {
    const { error } = run([bytes(hex)]);
    t.equal(error?.reason, reason, hex);
    t.match(error?.message, message, hex);
  }
});

t.test('the accepted programs are configurable', async (t) => {
  const tsvirtOnly = { programs: [{ program: Program.TSVIRT, version: 1 }] };
  t.equal(run([ping], tsvirtOnly).error?.reason, 'bad-program', 'keepalive refused when not listed');
  t.same(run([tsvirtCall], tsvirtOnly).frames, [decoded.tsvirtCall]);
  const other = bytes('0000001c 12345678 00000003 00000001 00000000 00000001 00000000');
  const custom = { programs: [{ program: 0x12345678, version: 3 }] };
  t.same(run([other], custom).frames[0]?.header, { program: 0x12345678, version: 3, procedure: 1, type: 0, serial: 1, status: 0 });
});

t.test('a stream that ends inside a frame', async (t) => {
  for (const cut of [1, 3, 4, 27, 28, 41]) {
    const { frames, error } = run([ping, tsvirtCall.subarray(0, cut)]);
    t.same(frames, [decoded.ping], `cut at ${cut}: the whole frame before it is delivered`);
    t.equal(error?.reason, 'truncated', `cut at ${cut}`);
  }
  t.match(run([tsvirtCall.subarray(0, 41)]).error?.message, /41 of its 42 bytes arrived/);
  t.match(run([tsvirtCall.subarray(0, 3)]).error?.message, /first 28 bytes: 3 arrived/);
  t.same(run([]), { frames: [] }, 'an empty stream ends cleanly');
});

t.test('good frames before a bad one are delivered, however the stream is split', async (t) => {
  const bad = bytes('0000001c 74737672 00000001 00000001 00000009 00000001 00000000');
  const input = Buffer.concat([ping, tsvirtCall, bad, pong]);
  for (let i = 0; i <= input.length; i++) {
    const { frames, error } = run([input.subarray(0, i), input.subarray(i)]);
    if (!t.same(frames, [decoded.ping, decoded.tsvirtCall], `split at ${i}`) || !t.equal(error?.reason, 'bad-type')) break;
  }
});

t.test('after an error the decoder is poisoned', async (t) => {
  const decoder = new FrameDecoder();
  const pending = decoder.push(ping);
  const frames: Frame[] = [];
  let first: unknown;
  try {
    for (const frame of decoder.push(bytes('00000001'))) frames.push(frame);
  } catch (e) {
    first = e;
  }
  t.same(frames, [decoded.ping], 'the unread frame pushed before came out first');
  t.match(first, { reason: 'too-short' });
  const poisoned = { name: 'RpcProtocolError', reason: 'poisoned', cause: first, message: /failed earlier \(too-short: .*\); drop the connection/ };
  t.throws(() => decoder.push(pong), poisoned, 'push');
  t.throws(() => decoder.end(), poisoned, 'end');
  t.throws(() => [...pending], poisoned, 'a generator from before the error');
});
