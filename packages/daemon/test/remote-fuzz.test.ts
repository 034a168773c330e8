import t from 'tap';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import {
  MessageStatus, MessageType, Program, ProgramVersion, decodeXdr, encodeFrame, encodeXdr, remoteProcedures, remoteXdr, remote_error,
  type Frame, type RemoteErrorValue, type WireProcedure,
} from '@tsvirt/core/protocol';
import { prng, sampleOf } from '../../core/test/fixtures/xdr-samples.js';
import { RawClient, startDaemon } from './fixtures/daemon-harness.js';

// Every procedure of libvirt's REMOTE program, on both sockets of a real tsvirtd, with
// well-formed bodies of random values, the same bodies cut short, and random bytes: every
// call is answered (a reply, or libvirt's remote_error with a known code and a message
// that says what went wrong), and the daemon goes on. The seed is printed.

const SEED = Number(process.env.TSVIRT_FUZZ_SEED ?? 0x7e11) >>> 0;
t.comment(`remote fuzz seed ${SEED} (replay: TSVIRT_FUZZ_SEED=${SEED})`);
const random = prng(SEED);
const BODIES_PER_PROCEDURE = 6;
const REPLY_TIMEOUT_MS = 20_000;
const P = remoteXdr.RemoteProcedure;

const daemon = await startDaemon();
t.teardown(() => daemon.stop());

const CODES = new Set<number>(Object.values(ErrorNumber));
const DOMAINS = new Set<number>(Object.values(ErrorDomain));
const JS_LEAK = /\bE[A-Z]{2,}: |Cannot read propert|is not a function|is not iterable|Maximum call stack|\[object Object\]|undefined|NaN|TypeError|RangeError|ReferenceError/;

const frame = (procedure: number, serial: number, body: Uint8Array) =>
  encodeFrame({ program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure, type: MessageType.CALL, serial, status: MessageStatus.OK }, body);

async function replyWithin(c: RawClient, serial: number): Promise<Frame | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), REPLY_TIMEOUT_MS); });
  const r = await Promise.race([c.reply(serial, Program.REMOTE), late, c.closed.then(() => null)]);
  clearTimeout(timer);
  return r;
}

async function opened(sock: string): Promise<RawClient> {
  const c = await RawClient.connect(sock);
  c.send(frame(P.CONNECT_OPEN, 0, encodeXdr(remoteXdr.remote_connect_open_args, { name: 'test:///default', flags: 0 })));
  const r = await replyWithin(c, 0);
  if (r?.header.status !== MessageStatus.OK) throw new Error('the open call failed');
  return c;
}

/** Bodies for a procedure's call: random values, one cut short, random bytes. */
function bodies(p: WireProcedure): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < BODIES_PER_PROCEDURE; i++) {
    const whole = p.args ? encodeXdr(p.args, sampleOf(p.args, random)) : Buffer.alloc(0);
    if (i % 3 === 0) out.push(whole);
    else if (i % 3 === 1) out.push(whole.subarray(0, Math.floor(random() * whole.length)));
    else out.push(Buffer.from(Array.from({ length: Math.floor(random() * 96) }, () => Math.floor(random() * 256))));
  }
  return out;
}

for (const [side, sock] of [['read-write', daemon.rw], ['read-only', daemon.ro]] as const) {
  t.test(`${side} socket: ${remoteProcedures.length} REMOTE procedures, ${BODIES_PER_PROCEDURE} hostile bodies each`, async (t) => {
    const problems: string[] = [];
    let errors = 0;
    for (const p of remoteProcedures.filter((x) => x.number !== P.CONNECT_OPEN)) {
      const c = await opened(sock);
      const sent = bodies(p);
      sent.forEach((body, i) => c.send(frame(p.number, i + 1, body)));
      for (let i = 0; i < sent.length; i++) {
        const what = `${p.name} (${p.number}) with ${sent[i]!.toString('hex').slice(0, 200)}`;
        const reply = await replyWithin(c, i + 1);
        if (!reply) { problems.push(`no reply: ${what}`); break; }
        if (reply.header.type !== MessageType.REPLY || reply.header.status !== MessageStatus.ERROR) continue;
        errors++;
        let e: RemoteErrorValue;
        try {
          e = decodeXdr(remote_error, reply.body) as RemoteErrorValue;
        } catch {
          problems.push(`an error that is not a remote_error: ${what}`);
          continue;
        }
        if (!CODES.has(e.code) || e.code === ErrorNumber.OK) problems.push(`unknown code ${e.code}: ${what}`);
        if (!DOMAINS.has(e.domain)) problems.push(`unknown domain ${e.domain}: ${what}`);
        if (typeof e.message !== 'string' || e.message.length < 8) problems.push(`no message: ${what}`);
        else if (JS_LEAK.test(e.message)) problems.push(`${e.message}: ${what}`);
      }
      c.socket.destroy();
    }
    t.strictSame(problems, [], `seed ${SEED}: every call answered, every error libvirt's`);
    t.ok(errors > remoteProcedures.length, `${errors} calls failed (as most hostile calls must)`);
    t.equal(daemon.proc.exitCode, null, 'the daemon runs');
  });
}
