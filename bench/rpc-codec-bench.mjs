#!/usr/bin/env node
// Frames per second through tsvirt's RPC wire layer: JSON body and frame encoding, and
// stream decoding (frames cut from 64 KiB chunks, as a socket delivers them, and their
// JSON bodies parsed). The floor is the JSON alone: JSON.stringify into a Buffer and
// JSON.parse back, with no framing. Encode, decode and the floor run in turn, round after
// round; medians are printed. Needs the built core: run `pnpm build` first.
import { performance } from 'node:perf_hooks';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const rpc = await import(new URL('../packages/core/dist/rpc/index.js', import.meta.url).href);
const { FrameDecoder, MessageStatus, MessageType, Program, ProgramVersion, decodeJsonBody, encodeFrame, encodeJsonBody } = rpc;

const BATCH = 5_000;
const CHUNK = 64 * 1024;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.3);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
console.log(`rpc codec: ${loadText()}`);

const cases = [
  { name: 'small call', procedure: 23, type: MessageType.CALL, value: { name: 'vm1' } },
  {
    name: 'dumpxml reply',
    procedure: 14,
    type: MessageType.REPLY,
    value: { xml: `<domain type='test'>\n${"  <description>padding to a typical domain's size</description>\n".repeat(60)}</domain>\n` },
  },
];

function encodeBatch(c) {
  const frames = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const header = { program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure: c.procedure, type: c.type, serial: i, status: MessageStatus.OK };
    frames[i] = encodeFrame(header, encodeJsonBody(c.value));
  }
  return frames;
}

function decodeBatch(chunks) {
  const decoder = new FrameDecoder();
  let n = 0;
  for (const chunk of chunks) {
    for (const frame of decoder.push(chunk)) {
      decodeJsonBody(frame.body);
      n++;
    }
  }
  decoder.end();
  if (n !== BATCH) throw new Error(`decoded ${n} frames of ${BATCH}`);
}

/** Runs `fn` (one batch) repeatedly for SECONDS after a warm-up; frames per second. */
function rate(fn) {
  for (let i = 0; i < 5; i++) fn();
  let batches = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    fn();
    batches++;
    elapsed = performance.now() - start;
  }
  return (batches * BATCH) / (elapsed / 1000);
}

for (const c of cases) {
  const frames = encodeBatch(c);
  const stream = Buffer.concat(frames);
  const chunks = [];
  for (let at = 0; at < stream.length; at += CHUNK) chunks.push(stream.subarray(at, at + CHUNK));
  const r = await interleaved(ROUNDS, {
    encode: async () => rate(() => encodeBatch(c)),
    decode: async () => rate(() => decodeBatch(chunks)),
    both: async () => rate(() => {
      const s = Buffer.concat(encodeBatch(c));
      const cs = [];
      for (let at = 0; at < s.length; at += CHUNK) cs.push(s.subarray(at, at + CHUNK));
      decodeBatch(cs);
    }),
    floor: async () => rate(() => {
      for (let i = 0; i < BATCH; i++) JSON.parse(Buffer.from(JSON.stringify(c.value)).toString());
    }),
  });
  console.log(
    `rpc codec, ${c.name} (${frames[0].length}-byte frame), medians of ${ROUNDS}: encode ${fmt(r.encode.median)} frames/s, decode ${fmt(r.decode.median)} frames/s, `
    + `encode+decode ${fmt(r.both.median)} frames/s; floor, the JSON alone both ways: ${fmt(r.floor.median)}/s`,
  );
}
// libvirt's framing and XDR run only inside libvirtd and its client library: there is
// no standalone equivalent to time (its cost shows only in a whole round trip).
console.log('libvirt: no standalone equivalent of this work to measure');
console.log(`rpc codec: done, ${loadText()}`);
