import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ErrorDomain, ErrorNumber, decodeJsonBody, open, type ConnectEntry, type DomainEntry } from '@tsvirt/core';
import { startupUris } from '../src/driver-startup.js';
import { RawClient, SOCKET_PARENT, TMPFS_MAGIC, freePort, socketDir, startDaemon, stopAfterDestroying, type RunningDaemon } from './fixtures/daemon-harness.js';

const hasQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0;
const inMemory = (dir: string) => statfsSync(dir).type === TMPFS_MAGIC;
// The daemon publishes only in a socket folder in memory: the harness makes them in /dev/shm.
const noTmpfs = !inMemory(SOCKET_PARENT) && 'no tmpfs at /dev/shm, where the daemon would publish domain status';

const uri = (sock: string, extra = '') => `test+unix:///default?socket=${sock}${extra}`;
const STATUS = 'tsvirt-status';

/** The published folder of the daemon's test:///default connection (the one whose records name 'test'). */
function testFolder(d: RunningDaemon): string {
  const root = join(d.dir, STATUS);
  const folder = readdirSync(root).map((f) => join(root, f)).find((f) => existsSync(join(f, 'name', 'ntest')));
  if (!folder) throw new Error(`no folder under ${root} publishes 'test'`);
  return folder;
}

/** A call's outcome, comparable across connections: the value, or the error's code, domain and message. */
async function outcome(work: () => Promise<unknown>): Promise<unknown> {
  try {
    const v = await work();
    return v !== null && typeof v === 'object' && 'uuid' in v
      ? { name: (v as DomainEntry).name, uuid: (v as DomainEntry).uuid, id: (v as DomainEntry).id } : v;
  } catch (e) {
    const { code, domain, message } = e as { code: number; domain: number; message: string };
    return { code, domain, message };
  }
}

/** Everything the published status answers for one name, CPU time aside (it moves). */
async function reads(conn: ConnectEntry, name: string, uuid: string, id: number): Promise<unknown> {
  const dropCpu = (v: unknown) => (v && typeof v === 'object' && 'cpuTime' in v ? { ...v, cpuTime: typeof v.cpuTime } : v);
  const byName = await outcome(() => conn.lookupDomainByName(name));
  const dom = await conn.lookupDomainByUUID(uuid).catch(() => null);
  return {
    byName,
    byUuid: await outcome(() => conn.lookupDomainByUUID(uuid)),
    byUpperUuid: await outcome(() => conn.lookupDomainByUUID(uuid.toUpperCase())),
    byId: id > 0 ? await outcome(() => conn.lookupDomainByID(id)) : null,
    info: dom && dropCpu(await outcome(() => dom.getInfo())),
    state: dom && (await outcome(() => dom.getState())),
    stateWithFlags: dom && (await outcome(() => dom.getState(1))),
  };
}

t.test('a local client answers lookups, getInfo and getState from the published status, even from a stopped daemon', { skip: noTmpfs }, async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const conn = await open(uri(d.rw));
  const ro = await open(uri(d.ro), { readOnly: true });
  const rpc = await open(uri(d.rw, '&no_published=1'));
  const dom = await conn.lookupDomainByName('test');
  // What the daemon answers, to compare with what the files answer while it cannot.
  const rpcDom = await rpc.lookupDomainByName('test');
  const { cpuTime: _, ...expectedInfo } = await rpcDom.getInfo();
  const expectedState = await rpcDom.getState();
  d.proc.kill('SIGSTOP');
  try {
    for (const c of [conn, ro]) {
      t.equal((await c.lookupDomainByName('test')).uuid, dom.uuid, 'by name');
      t.equal((await c.lookupDomainByUUID(dom.uuid)).name, 'test', 'by UUID');
      t.equal((await c.lookupDomainByID(dom.id)).name, 'test', 'by id');
      const info = await (await c.lookupDomainByName('test')).getInfo();
      t.match(info, expectedInfo);
      t.ok(Math.abs(info.cpuTime - Date.now() * 1e6) < 5e9, 'CPU time is the test driver\'s clock, read now');
      t.same(await dom.getState(), expectedState);
    }
    // A call that needs the daemon waits for it, as does every call with no_published=1.
    let answered = false;
    const pending = rpc.lookupDomainByName('test').then(() => { answered = true; });
    await new Promise((r) => setTimeout(r, 300));
    t.notOk(answered, 'no_published=1: the lookup waits for the stopped daemon');
    d.proc.kill('SIGCONT');
    await pending;
    t.ok(answered, 'and is answered once it runs again');
  } finally {
    d.proc.kill('SIGCONT');
  }
  await Promise.all([conn.close(), ro.close(), rpc.close()]);
});

t.test('what is published answers what the daemon answers, after every kind of change by another client', { skip: noTmpfs }, async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const fast = await open(uri(d.rw));
  const slow = await open(uri(d.rw, '&no_published=1'));
  const writer = await open(uri(d.rw, '&no_published=1'));
  const names = ['plain', 'with space', '..', 'ünïcødé', '%2E', 'a'.repeat(300)];
  const known = new Map<string, { uuid: string; id: number }>();
  const compare = async (step: string) => {
    for (const [name, { uuid, id }] of known) {
      t.same(await reads(fast, name, uuid, id), await reads(slow, name, uuid, id), `${step}: ${name.slice(0, 20)}`);
    }
  };
  const xml = (name: string, mem = 65536) => `<domain type='test'><name>${name}</name><memory>${mem}</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
  for (const name of names) {
    const dom = await writer.defineDomainXML(xml(name));
    known.set(name, { uuid: dom.uuid, id: -1 });
  }
  await compare('defined');
  for (const name of names) {
    const dom = await writer.lookupDomainByName(name);
    await dom.create();
    known.set(name, { uuid: dom.uuid, id: (await writer.lookupDomainByName(name)).id });
  }
  await compare('started');
  const plain = await writer.lookupDomainByName('plain');
  await plain.suspend();
  await compare('suspended');
  await plain.setMemory(32768);
  await compare('memory set');
  await plain.resume();
  await plain.destroy();
  await compare('destroyed');
  await plain.rename('renamed');
  known.set('renamed', known.get('plain')!);
  await compare('renamed');
  await (await writer.lookupDomainByName('..')).destroy();
  await (await writer.lookupDomainByName('..')).undefine();
  await compare('undefined');
  const transient = await writer.createDomainXML(xml('transient'));
  known.set('transient', { uuid: transient.uuid, id: transient.id });
  await compare('created');
  await transient.destroy();
  await compare('transient gone');
  await Promise.all([fast.close(), slow.close(), writer.close()]);
});

t.test('the folder: records 0644 that name links lead to, links gone with the domain, all gone on SIGTERM', { skip: noTmpfs }, async (t) => {
  const d = await startDaemon();
  const conn = await open(uri(d.rw));
  const folder = testFolder(d);
  const test = await conn.lookupDomainByName('test');
  const record = join(folder, 'uuid', test.uuid);
  t.equal(statSync(record).mode & 0o777, 0o644);
  t.match(JSON.parse(readFileSync(record, 'utf8')), { name: 'test', uuid: test.uuid, id: test.id, cpuTime: { clock: 'wall' } });
  t.ok(lstatSync(join(folder, 'name', 'ntest')).isSymbolicLink());
  t.equal(readlinkSync(join(folder, 'id', String(test.id))), join('..', 'uuid', test.uuid));
  await test.destroy();
  t.notOk(existsSync(join(folder, 'id', String(test.id))), 'a stopped domain has no id link');
  await test.undefine();
  t.notOk(existsSync(record), 'an undefined domain has no record');
  t.notOk(existsSync(join(folder, 'name', 'ntest')), 'nor a name link');
  await conn.close();
  t.equal(await d.stop(), 0);
  t.notOk(existsSync(join(d.dir, STATUS)), 'the folder goes with the daemon');
});

t.test('a killed daemon leaves its files behind; its clients do not believe them, and the next daemon clears them', { skip: noTmpfs }, async (t) => {
  const d = await startDaemon();
  const conn = await open(uri(d.rw));
  const leftover = await conn.defineDomainXML(`<domain type='test'><name>leftover</name><memory>65536</memory><os><type>hvm</type></os></domain>`);
  const folder = testFolder(d);
  const exited = new Promise((resolve) => d.proc.once('exit', resolve));
  d.proc.kill('SIGKILL');
  await exited;
  t.ok(existsSync(join(folder, 'uuid', leftover.uuid)), 'the record is still there');
  await t.rejects(conn.lookupDomainByName('leftover'), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.RPC, message: 'internal error: client socket is closed' });
  const again = await startDaemon([], d.dir);
  t.teardown(() => again.stop());
  t.notOk(existsSync(join(folder, 'uuid', leftover.uuid)), 'the next daemon cleared it');
  await conn.close();
});

t.test('only clients on the unix sockets are told of the folder, not TCP ones', { skip: noTmpfs }, async (t) => {
  const port = await freePort();
  const d = await startDaemon(['--listen', `tcp://127.0.0.1:${port}`]);
  t.teardown(() => d.stop());
  const openReply = async (where: string | number) => {
    const c = await RawClient.connect(where);
    c.open('test:///default', 0);
    const body = decodeJsonBody((await c.reply(0)).body);
    c.socket.destroy();
    return body;
  };
  const folder = new RegExp(`^${join(d.dir, STATUS)}/\\d+$`);
  t.match(await openReply(d.rw), { statusDir: folder }, 'read-write socket');
  t.match(await openReply(d.ro), { statusDir: folder }, 'read-only socket');
  t.strictSame(await openReply(port), {}, 'TCP');
});

t.test('the QEMU driver publishes too: a running guest\'s CPU time is read from its process', { skip: noTmpfs || (!hasQemu && 'no qemu-system-x86_64') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-published-qemu-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const d = await startDaemon([], undefined, { env: { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') } });
  const [scheme, path] = startupUris()[0]!.split(':///');
  const qemuUri = `${scheme}+unix:///${path}?socket=${d.rw}`;
  stopAfterDestroying(t, d, qemuUri, 'published');
  const conn = await open(qemuUri);
  const rpc = await open(`${qemuUri}&no_published=1`);
  const dom = await conn.defineDomainXML(`<domain type='qemu'><name>published</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`);
  await dom.create();
  const rpcDom = await rpc.lookupDomainByName('published');
  const { cpuTime: _, ...expected } = await rpcDom.getInfo();
  const expectedState = await rpcDom.getState();
  await new Promise((r) => setTimeout(r, 200)); // let the guest use some CPU time
  d.proc.kill('SIGSTOP');
  try {
    const running = await conn.lookupDomainByName('published');
    t.equal(running.id, rpcDom.id);
    const info = await running.getInfo();
    t.match(info, expected, 'running, as the daemon says');
    t.ok(info.cpuTime > 0, `CPU time from the QEMU process: ${info.cpuTime} ns`);
    t.same(await running.getState(), expectedState);
  } finally {
    d.proc.kill('SIGCONT');
  }
  await dom.destroy();
  t.same(await (await conn.lookupDomainByName('published')).getState(), await rpcDom.getState(), 'shut off once destroyed');
  await Promise.all([conn.close(), rpc.close()]);
});

t.test('a socket folder on a disk: nothing published, the daemon says why, every read is a call', { skip: inMemory(tmpdir()) && `${tmpdir()} is in memory` }, async (t) => {
  const d = await startDaemon([], socketDir(tmpdir()));
  t.teardown(() => d.stop());
  t.match(d.stderr(), /tsvirtd: .* is not in memory \(tmpfs\): domain status is not published, every read is a call/);
  const c = await RawClient.connect(d.rw);
  c.open('test:///default', 0);
  t.strictSame(decodeJsonBody((await c.reply(0)).body), {});
  c.socket.destroy();
  t.notOk(existsSync(join(d.dir, STATUS)));
  const conn = await open(uri(d.rw));
  t.equal((await conn.lookupDomainByName('test')).name, 'test');
  await conn.close();
});
