// What one client can make tsvirtd hold: replies it never reads, events it never
// reads, event callbacks, calls in flight. Each bound is tested against a real daemon.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { ErrorNumber, open } from '@tsvirt/core';
import {
  ConnectionProcedure, MessageStatus, MessageType, Program, ProgramVersion, decodeErrorBody, decodeJsonBody, encodeJsonFrame, procedures,
} from '@tsvirt/core/protocol';
import { RawClient, startDaemon, type RunningDaemon } from './fixtures/daemon-harness.js';

const proc = (driverName: string) => procedures.find((p) => p.driverName === driverName)!.proc;
const GET_TYPE = proc('connectGetType');
const DUMPXML = proc('domainGetXMLDesc');
const LOOKUP = proc('connectLookupDomainByName');
const REGISTER = proc('connectDomainEventRegister');

const MiB = 1024 * 1024;
const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

const frame = (procedure: number, body: unknown, serial: number) =>
  encodeJsonFrame({ program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure, type: MessageType.CALL, serial, status: MessageStatus.OK }, body);

/** A domain whose XML is about 9 MB (its description), defined through the daemon. */
async function defineBigDomain(d: RunningDaemon): Promise<{ name: string; uuid: string; id: number }> {
  const conn = await open(`test+unix:///default?socket=${d.rw}`);
  const xml = `<domain type='test'><name>big</name><description>${'x'.repeat(9 * 1000 * 1000)}</description>`
    + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";
  const dom = await conn.defineDomainXML(xml);
  const ref = { name: dom.name, uuid: dom.uuid, id: -1 };
  await conn.close();
  return ref;
}

/** A client that sends its frames and never reads a byte of what comes back. */
async function mute(path: string, ...frames: Buffer[]): Promise<Socket> {
  const s = connect(path);
  await new Promise((resolve) => s.once('connect', resolve));
  s.pause();
  s.on('error', () => undefined);
  s.write(Buffer.concat(frames));
  return s;
}

/** The daemon's largest RSS over `ms`, sampled every 50 ms. */
async function peakRss(pid: number, ms: number): Promise<number> {
  let peak = 0;
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) peak = Math.max(peak, rssBytes(pid));
  return peak;
}

async function served(d: RunningDaemon): Promise<string> {
  const c = await RawClient.connect(d.rw);
  c.open('test:///default', 1);
  c.call(GET_TYPE, [], 2);
  const value = decodeJsonBody((await c.reply(2)).body) as string;
  c.socket.destroy();
  return value;
}

t.test('a client that sends 150 calls of a 9 MB dumpxml and never reads holds the daemon to its bound', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const big = await defineBigDomain(d);
  // One read in full first, so that the baseline holds what any dumpxml of it costs.
  const reader = await RawClient.connect(d.rw);
  reader.open('test:///default', 0);
  reader.call(DUMPXML, [big, 0], 1);
  t.ok((decodeJsonBody((await reader.reply(1)).body) as string).length > 9e6, 'a reading client gets the 9 MB XML');
  reader.socket.destroy();
  const baseline = rssBytes(d.proc.pid!);
  const calls = Array.from({ length: 150 }, (_, i) => frame(DUMPXML, [big, 0], i + 1));
  const s = await mute(d.rw, frame(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 0), ...calls);
  const peak = await peakRss(d.proc.pid!, 3000);
  // The bound: --max-queued (32 MiB) unread plus one frame of --max-message (32 MiB), and the garbage of making one reply.
  t.ok(peak - baseline < 128 * MiB, `the daemon grew by ${((peak - baseline) / MiB).toFixed(1)} MiB (150 replies would be 1.3 GiB)`);
  t.equal(await served(d), 'TEST', 'other clients are served meanwhile');
  s.destroy();
});

t.test('a client whose unread replies and events pass --max-queued is dropped, and that is logged once', async (t) => {
  const d = await startDaemon(['--max-queued', String(MiB)]);
  t.teardown(() => d.stop());
  const big = await defineBigDomain(d);
  const open_ = frame(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 0);
  // Events registered, one 9 MB reply unread: the next event finds it over the limit.
  const s = await mute(d.rw, open_, frame(REGISTER, [], 1), frame(DUMPXML, [big, 0], 2));
  const closed = new Promise((resolve) => s.once('close', resolve));
  await new Promise((r) => setTimeout(r, 500));
  const writer = await open(`test+unix:///default?socket=${d.rw}`);
  for (let i = 0; i < 3; i++) {
    const dom = await writer.defineDomainXML(`<domain type='test'><name>ev${i}</name><memory>65536</memory><os><type>hvm</type></os></domain>`);
    await dom.undefine();
  }
  await writer.close();
  s.resume();
  await closed;
  t.pass('the mute client is disconnected');
  const lines = d.stderr().split('\n').filter((l) => l.includes('dropped'));
  t.equal(lines.length, 1, 'one line in the log');
  t.match(lines[0], /^tsvirtd: dropped client \d+ \(read-write socket(, uid 0 gid 0 pid \d+)?\): \d+ bytes of replies and events unread, above the limit of 1048576$/);
  t.equal(await served(d), 'TEST', 'the daemon serves on');
});

t.test('many clients, each within its own limit, are held to --max-queued-total together: the largest holders are dropped', async (t) => {
  const cap = 24 * MiB;
  const d = await startDaemon(['--max-message', String(12 * MiB), '--max-queued-total', String(cap)]);
  t.teardown(() => d.stop());
  const big = await defineBigDomain(d);
  const baseline = rssBytes(d.proc.pid!);
  // Six clients ask for the 9 MB XML once each and never read: 54 MB unread, where the cap holds two such replies.
  const open_ = frame(ConnectionProcedure.OPEN, { uri: 'test:///default', readOnly: false }, 0);
  const clients = await Promise.all(Array.from({ length: 6 }, () => mute(d.rw, open_, frame(DUMPXML, [big, 0], 1))));
  const peak = await peakRss(d.proc.pid!, 3000);
  const lines = d.stderr().split('\n').filter((l) => l.includes('dropped'));
  t.ok(lines.length >= 3 && lines.length <= 5, `the largest holders are dropped until the next reply fits (${lines.length} of 6)`);
  for (const line of lines) {
    t.match(line, /^tsvirtd: dropped client \d+ \(read-write socket(, uid 0 gid 0 pid \d+)?\): \d+ bytes of replies and events unread while all clients' unread bytes reached the daemon's limit of 25165824$/);
  }
  // Two unread replies, and the garbage of making one more.
  t.ok(peak - baseline < cap + 64 * MiB, `the daemon grew by ${((peak - baseline) / MiB).toFixed(1)} MiB (six unread replies: 54 MB)`);
  t.equal(await served(d), 'TEST', 'a client that reads is served meanwhile');
  for (const s of clients) s.destroy();
});

t.test('--max-queued-total below --max-message is refused at start', async (t) => {
  await t.rejects(startDaemon(['--max-message', String(MiB), '--max-queued-total', '1000']), /--max-queued-total \(1000\) must be at least --max-message \(1048576\): one frame must fit/);
});

t.test('20,000 event callbacks on one client: past --max-event-callbacks each is refused', async (t) => {
  const d = await startDaemon(['--max-event-callbacks', '100']);
  t.teardown(() => d.stop());
  const c = await RawClient.connect(d.rw);
  c.open('test:///default', 0);
  await c.reply(0);
  const before = rssBytes(d.proc.pid!);
  const N = 20_000;
  for (let at = 1; at <= N; at += 1000) c.send(Buffer.concat(Array.from({ length: 1000 }, (_, i) => frame(REGISTER, [], at + i))));
  await c.reply(N);
  const replies = c.frames.filter((f) => f.header.serial >= 1 && f.header.type === MessageType.REPLY);
  t.equal(replies.length, N, 'every registration is answered');
  const ok = replies.filter((f) => f.header.status === MessageStatus.OK);
  t.equal(ok.length, 100, 'the first 100 are registered');
  const refused = decodeErrorBody(replies.find((f) => f.header.status === MessageStatus.ERROR)!.body);
  t.match(refused, { code: ErrorNumber.OPERATION_FAILED, message: /too many event callbacks on this connection: the limit is 100/ });
  // An event now reaches the client once per registration, 100 times, not 20,000.
  const writer = await open(`test+unix:///default?socket=${d.rw}`);
  await (await writer.defineDomainXML("<domain type='test'><name>one</name><memory>65536</memory><os><type>hvm</type></os></domain>")).undefine();
  await writer.close();
  c.call(LOOKUP, ['test'], N + 1);
  await c.reply(N + 1);
  await new Promise((r) => setTimeout(r, 200));
  const events = c.frames.filter((f) => f.header.type === MessageType.MESSAGE && f.header.program === Program.TSVIRT);
  t.equal(events.length, 200, 'defined and undefined, to each of the 100 callbacks');
  t.ok(rssBytes(d.proc.pid!) - before < 64 * MiB, 'the daemon stays small');
  c.socket.destroy();
});
