import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  FrameDecoder, MessageStatus, MessageType, Program, decodeXdr, encodeXdr, errorFromWire, eventFromWire, replyFromWire, callArgsFromWire,
  type Frame, type RemoteErrorValue, type XdrType,
} from '../../src/rpc/index.js';
import { RemoteProcedure, remoteProcedureByNumber, remote_error } from '../../src/gen/remote-program.gen.js';
import { ErrorDomain, ErrorNumber } from '../../src/gen/errors.gen.js';

// Frames libvirt 9.0's virsh and libvirtd exchanged (fixtures/libvirt-frames/README.md says
// how they were recorded): the frame decoder cuts them at any split, and every body decodes
// by the generated tables and encodes back to the same bytes.

interface Recorded { conn: number; dir: 'call' | 'reply'; hex: string }
const recorded = JSON.parse(readFileSync(new URL('./fixtures/libvirt-frames/virsh-session.json', import.meta.url), 'utf8')) as Recorded[];
const frames = recorded.map((r) => ({ ...r, bytes: Buffer.from(r.hex, 'hex') }));

/** The XDR type of a frame's body, by its program, procedure, type and status. */
function bodyType({ header }: Frame): XdrType | null {
  if (header.program === Program.KEEPALIVE) return null;
  const p = remoteProcedureByNumber.get(header.procedure);
  if (!p) throw new Error(`procedure ${header.procedure} is not in the REMOTE table`);
  if (header.type === MessageType.CALL || header.type === MessageType.MESSAGE) return p.args;
  return header.status === MessageStatus.ERROR ? remote_error : p.ret;
}

const decodeAll = (stream: Buffer, splits: number[]): Frame[] => {
  const d = new FrameDecoder();
  const out: Frame[] = [];
  let at = 0;
  for (const end of [...splits, stream.length]) {
    out.push(...d.push(stream.subarray(at, end)));
    at = end;
  }
  d.end();
  return out;
};

t.test('each direction of each connection, split at every offset, gives back its frames', async (t) => {
  for (const conn of new Set(frames.map((f) => f.conn))) {
    for (const dir of ['call', 'reply'] as const) {
      const mine = frames.filter((f) => f.conn === conn && f.dir === dir);
      const stream = Buffer.concat(mine.map((f) => f.bytes));
      const whole = decodeAll(stream, []);
      t.equal(whole.length, mine.length, `connection ${conn}, ${dir}: ${mine.length} frames`);
      let same = true;
      for (let split = 1; split < stream.length; split++) {
        const cut = decodeAll(stream, [split]);
        same &&= cut.length === whole.length && cut.every((f, i) => f.body.equals(whole[i]!.body) && f.header.serial === whole[i]!.header.serial);
      }
      t.ok(same, `connection ${conn}, ${dir}: the same frames at all ${stream.length - 1} splits`);
    }
  }
});

t.test('every body decodes by the generated tables and encodes back to the same bytes', async (t) => {
  const seen = new Set<number>();
  for (const f of frames) {
    const [frame] = decodeAll(f.bytes, []);
    const type = bodyType(frame!);
    if (type === null) {
      t.equal(frame!.body.length, 0, 'an empty body');
      continue;
    }
    const value = decodeXdr(type, frame!.body);
    t.same(encodeXdr(type, value), frame!.body, `${f.dir} ${remoteProcedureByNumber.get(frame!.header.procedure)!.name}`);
    seen.add(frame!.header.procedure);
  }
  t.ok(seen.size >= 20, `${seen.size} procedures`);
});

/** The first body of a procedure in a direction, decoded. */
function first(proc: number, dir: Recorded['dir'], status: number = MessageStatus.OK): unknown {
  for (const f of frames.filter((x) => x.dir === dir)) {
    const [frame] = decodeAll(f.bytes, []);
    if (frame!.header.program === Program.REMOTE && frame!.header.procedure === proc && frame!.header.status === status) return decodeXdr(bodyType(frame!)!, frame!.body);
  }
  throw new Error(`no ${dir} of ${proc}`);
}

t.test("libvirtd's values read as tsvirt's API has them", async (t) => {
  const p = (n: number) => remoteProcedureByNumber.get(n)!;
  const test = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
  t.same(first(RemoteProcedure.CONNECT_OPEN, 'call'), { name: 'test:///default', flags: 0 }, 'the open call names the URI without its transport');
  t.same(first(RemoteProcedure.AUTH_LIST, 'reply'), { types: [0] }, 'auth none');
  t.same(replyFromWire(p(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME), first(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, 'reply')), test);
  t.same(callArgsFromWire(p(RemoteProcedure.DOMAIN_GET_INFO), first(RemoteProcedure.DOMAIN_GET_INFO, 'call')), [test]);
  t.match(replyFromWire(p(RemoteProcedure.DOMAIN_GET_INFO), first(RemoteProcedure.DOMAIN_GET_INFO, 'reply')), { state: 1, maxMem: 8388608, memory: 2097152, nrVirtCpu: 2 });
  t.same(replyFromWire(p(RemoteProcedure.CONNECT_LIST_ALL_DOMAINS), first(RemoteProcedure.CONNECT_LIST_ALL_DOMAINS, 'reply')), [test]);
  t.same(replyFromWire(p(RemoteProcedure.DOMAIN_GET_SCHEDULER_PARAMETERS), first(RemoteProcedure.DOMAIN_GET_SCHEDULER_PARAMETERS, 'reply')), { weight: 50 });
  t.same(replyFromWire(p(RemoteProcedure.DOMAIN_GET_SECURITY_LABEL), first(RemoteProcedure.DOMAIN_GET_SECURITY_LABEL, 'reply')), { label: 'libvirt-test', enforcing: true });
  t.same(replyFromWire(p(RemoteProcedure.NODE_GET_SECURITY_MODEL), first(RemoteProcedure.NODE_GET_SECURITY_MODEL, 'reply')), { model: 'testSecurity', doi: '' });
  const error = errorFromWire(first(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, 'reply', MessageStatus.ERROR) as RemoteErrorValue);
  t.match(error, { code: ErrorNumber.NO_DOMAIN, domain: ErrorDomain.TEST, message: 'Domain not found' });
  const event = eventFromWire(p(RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE), first(RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE, 'reply'));
  t.same(event.event, { kind: 'lifecycle', domain: { ...test, id: -1 }, event: 5, detail: 1 }, 'stopped, destroyed: the domain has no id any more');
});
