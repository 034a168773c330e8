import t from 'tap';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import {
  MessageStatus, MessageType, Program, ProgramVersion, decodeErrorBody, decodeJsonBody, encodeJsonBody, procedures, type Frame,
  type Procedure,
} from '@tsvirt/core/protocol';
import { startupUris } from '../src/driver-startup.js';
import { RawClient, startDaemon } from './fixtures/daemon-harness.js';

// Every procedure of api.xml's table, called with random arguments, and random frames,
// on both sockets of a real tsvirtd: it never crashes or hangs, and every error is a
// libvirt code with a message that says what went wrong. The seed is printed; set
// TSVIRT_FUZZ_SEED to replay a run.

const SEED = Number(process.env.TSVIRT_FUZZ_SEED ?? 0x5eed2026) >>> 0;
const CALLS_PER_PROCEDURE = 12;
const RANDOM_FRAMES = 200;
const REPLY_TIMEOUT_MS = 20_000;
/** How long a client waits for an answer before it concludes that the daemon waits for more of a frame. */
const QUIET_MS = 100;
t.comment(`fuzz seed ${SEED} (replay: TSVIRT_FUZZ_SEED=${SEED})`);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const daemon = await startDaemon();
t.teardown(() => daemon.stop());

// Real objects of test:///default, so that some calls get past the lookups into the driver.
const REFS: Record<string, unknown> = {
  Domain: { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 },
  Network: { name: 'default', uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df' },
  StoragePool: { name: 'default-pool', uuid: 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566' },
  StorageVol: { name: 'fuzz.img', key: 'x', path: 'x', pool: 'default-pool' },
  Interface: { name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff' },
  NodeDevice: { name: 'computer' },
  Secret: { uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', usageType: 1, usageID: '/x' },
  DomainSnapshot: { name: 'fuzz', domain: 'test' },
};
const STRINGS = ['', 'test', 'default', 'x'.repeat(int(5000)), '\u0000', '\ud800', '../..', 'a,b=c', '<domain/>', "<domain type='test'><name>fuzz</name><memory>1024</memory></domain>",
  '<network><name>fuzz</name></network>', "<pool type='dir'><name>fuzz</name><target><path>fuzz</path></target></pool>", '<volume><name>fuzz.img</name><capacity>1</capacity></volume>',
  '<domainsnapshot><name>fuzz</name></domainsnapshot>', 'qemu-argv', '6695eb01-f6a4-8304-79aa-97f2502e193f', 'not-a-uuid', 'vda', 'eth0', 'http://example.org/'];
const NUMBERS = [0, 1, -1, 2, 7, 255, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 1.5, 1e308, -0];

/** Any JSON value, of any shape, nested a little. */
function anyValue(depth = 0): unknown {
  switch (int(depth > 2 ? 4 : 7)) {
    case 0: return pick(STRINGS);
    case 1: return pick(NUMBERS);
    case 2: return pick([true, false, null]);
    case 3: return pick(Object.values(REFS));
    case 4: return Array.from({ length: int(4) }, () => anyValue(depth + 1));
    case 5: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['name', 'uuid', 'id', 'key', 'path', 'pool', 'domain', 'mac', '__proto__', 'constructor', 'x']), anyValue(depth + 1)]));
    default: { const r = { ...(pick(Object.values(REFS)) as object) } as Record<string, unknown>; delete r[pick(Object.keys(r))]; return r; }
  }
}

/** A value for an argument: usually of its type, sometimes anything at all. */
function argValue(type: string): unknown {
  if (random() < 0.3) return anyValue();
  if (type in REFS) return REFS[type];
  if (type === 'string' || type === 'uuid') return pick(STRINGS);
  if (type === 'boolean') return random() < 0.5;
  if (type === 'bytes') return pick(['', 'AA==', 'aGk', '!!!!', 'x'.repeat(int(100000))]);
  if (type === 'params') return Object.fromEntries(Array.from({ length: int(3) }, () => [pick(['weight', 'cap', 'hard_limit', 'x']), pick([...NUMBERS, 'x'])]));
  if (type.endsWith('[]')) return Array.from({ length: int(4) }, () => argValue(type.slice(0, -2)));
  return pick(NUMBERS);
}

function callBody(p: Procedure): unknown {
  const args = p.args.filter((a) => a.type !== 'DomainEventListener').map((a) => argValue(a.type));
  if (random() < 0.1) args.length = int(args.length + 1); // too few
  if (random() < 0.05) args.push(anyValue()); // too many
  return random() < 0.03 ? anyValue() : args;
}

/** What a message must not look like: JavaScript's or Node's own words (an errno code), leaked from inside. */
const JS_LEAK = /\bE[A-Z]{2,}: |Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Maximum call stack|Unexpected token|in JSON at position|\[object Object\]|undefined|NaN|TypeError|RangeError|ReferenceError/;
const CODES = new Set<number>(Object.values(ErrorNumber));
const DOMAINS = new Set<number>(Object.values(ErrorDomain));

/** A reply, or null when none came in time or the daemon hung up. */
async function replyWithin(c: RawClient, serial: number, ms = REPLY_TIMEOUT_MS): Promise<Frame | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); });
  const r = await Promise.race([c.reply(serial), late, c.closed.then(() => null)]);
  clearTimeout(timer);
  return r;
}

/** A new client with `uri` open on `sock`. */
async function client(sock: string, uri = 'test:///default'): Promise<RawClient> {
  const c = await RawClient.connect(sock);
  c.open(uri, 0);
  await c.reply(0);
  return c;
}

const SOCKETS = [['read-write', daemon.rw], ['read-only', daemon.ro]] as const;
// The QEMU driver's instance of this daemon keeps its folders in the harness's scratch folders.
const TARGETS = SOCKETS.flatMap(([side, sock]) => ['test:///default', startupUris()[0]!].map((uri) => [side, sock, uri] as const));

for (const [side, sock, uri] of TARGETS) {
  t.test(`${uri} on the ${side} socket: ${procedures.length} procedures, ${CALLS_PER_PROCEDURE} random calls each`, async (t) => {
    const started = Date.now();
    const problems: string[] = [];
    let errors = 0;
    for (const p of procedures) {
      const c = await client(sock, uri);
      const bodies = Array.from({ length: CALLS_PER_PROCEDURE }, () => callBody(p));
      // All at once, as a pipelining client sends them.
      bodies.forEach((body, i) => c.call(p.proc, body, i + 1));
      for (let i = 0; i < bodies.length; i++) {
        const what = `${p.c} (proc ${p.proc}) with ${JSON.stringify(bodies[i])?.slice(0, 300)}`;
        const reply = await replyWithin(c, i + 1);
        if (!reply) { problems.push(`no reply: ${what}`); break; }
        if (reply.header.type !== MessageType.REPLY) continue;
        if (reply.header.status !== MessageStatus.ERROR) continue;
        errors++;
        const e = decodeErrorBody(reply.body);
        if (!CODES.has(e.code) || e.code === ErrorNumber.OK) problems.push(`unknown code ${e.code}: ${what}`);
        if (!DOMAINS.has(e.domain)) problems.push(`unknown domain ${e.domain}: ${what}`);
        if (typeof e.message !== 'string' || e.message.length < 8) problems.push(`no message: ${what}`);
        else if (JS_LEAK.test(e.message)) problems.push(`${e.message}: ${what}`);
      }
      c.socket.destroy();
    }
    t.strictSame(problems, [], `seed ${SEED}: every call answered, every error libvirt's`);
    t.ok(errors > procedures.length, `${errors} calls failed (as most random calls must)`);
    t.equal(daemon.proc.exitCode, null, 'the daemon runs');
    t.comment(`${uri}, ${side}: ${procedures.length * CALLS_PER_PROCEDURE} calls in ${Date.now() - started} ms`);
  });
}

/** A frame of random parts, written by hand so that any field may hold any 32 bits: a length that may lie, any header, a body of random bytes or JSON. */
function randomFrame(): Buffer {
  const u32 = () => int(2 ** 32);
  const fields = [
    random() < 0.7 ? Program.TSVIRT : pick([...Object.values(Program), u32()]),
    random() < 0.8 ? ProgramVersion.TSVIRT : u32(),
    random() < 0.7 ? pick(procedures).proc : u32(),
    random() < 0.7 ? MessageType.CALL : pick([...Object.values(MessageType), u32()]),
    u32(),
    random() < 0.8 ? MessageStatus.OK : pick([...Object.values(MessageStatus), u32()]),
  ];
  const body = random() < 0.5 ? Buffer.from(encodeJsonBody(anyValue())) : Buffer.from(Array.from({ length: int(64) }, () => int(256)));
  const frame = Buffer.alloc(28 + body.length);
  frame.writeUInt32BE(random() < 0.2 ? u32() : frame.length, 0);
  fields.forEach((v, i) => frame.writeUInt32BE(v >>> 0, 4 + 4 * i));
  body.copy(frame, 28);
  return random() < 0.1 ? frame.subarray(0, int(frame.length)) : frame;
}

for (const [side, sock] of SOCKETS) {
  t.test(`${side} socket: ${RANDOM_FRAMES} random frames`, async (t) => {
    let dropped = 0;
    for (let i = 0; i < RANDOM_FRAMES; i++) {
      const c = await client(sock);
      c.send(randomFrame());
      c.call(procedures.find((p) => p.driverName === 'connectGetType')!.proc, [], 0x7fffffff);
      // The daemon answers the call that follows, or drops the client, or (after a frame
      // whose length lies, which swallows that call) waits for the rest of the frame,
      // and drops the client once it says it has no more to send.
      let reply = await replyWithin(c, 0x7fffffff, QUIET_MS);
      if (reply === null && !c.socket.destroyed) {
        c.socket.end();
        reply = await replyWithin(c, 0x7fffffff);
      }
      if (reply === null) {
        if (await Promise.race([c.closed.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), REPLY_TIMEOUT_MS))])) dropped++;
        else t.fail(`seed ${SEED}, frame ${i}: neither answered nor dropped`);
      } else if (reply.header.status === MessageStatus.OK) {
        t.equal(decodeJsonBody(reply.body), 'TEST');
      }
      c.socket.destroy();
    }
    t.comment(`${dropped} of ${RANDOM_FRAMES} clients dropped for what they sent`);
    const c = await client(sock);
    c.call(procedures.find((p) => p.driverName === 'connectGetType')!.proc, [], 1);
    t.equal(decodeJsonBody((await c.reply(1)).body), 'TEST', 'the daemon goes on serving');
    c.socket.destroy();
    t.equal(daemon.proc.exitCode, null, 'the daemon runs');
  });
}
