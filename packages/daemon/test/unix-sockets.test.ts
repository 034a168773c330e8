import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ErrorDomain, ErrorNumber, open, VirError, type DomainEvent } from '@tsvirt/core';
import type { ConnectEntry } from '@tsvirt/core/driver';
import { procedures } from '@tsvirt/core/protocol';
import { NODE, socketDir, startDaemon, TSVIRTD, virsh, VIRSH } from './fixtures/daemon-harness.js';
import { otherUserCannotRead } from '../../core/test/fixtures/other-user.js';

const CORE = new URL('../../core/dist/index.js', import.meta.url).pathname;

const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const uri = (sock: string) => `test+unix:///default?socket=${sock}`;

t.test('virsh list --all over test+unix prints what the local driver prints', async (t) => {
  const local = virsh('-c', 'test:///default', 'list', '--all');
  t.equal(local.rc, 0);
  t.same(virsh('-c', uri(daemon.rw), 'list', '--all'), local);
  t.same(virsh('-r', '-c', uri(daemon.ro), 'dominfo', 'test').rc, 0, 'the read-only socket serves reads');
  // libvirt's client answers getURI itself: the URI it opened, socket and all, not the daemon's
  t.equal(virsh('-c', uri(daemon.rw), 'uri').out, `${uri(daemon.rw)}\n\n`, 'virsh uri prints the URI the client opened, as libvirt\'s virsh does');
});

t.test('the read-write socket is 0600, the read-only one 0666', async (t) => {
  t.equal(statSync(daemon.rw).mode & 0o777, 0o600);
  t.equal(statSync(daemon.ro).mode & 0o777, 0o666);
});

t.test('a non-root user cannot open the read-write socket, and can open the read-only one', { skip: process.getuid?.() !== 0 && 'needs root to run a client as another user' }, async (t) => {
  const probe = (path: string) => spawnSync('/usr/bin/env', [...NODE, '-e',
    `require('net').connect(process.argv[1]).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`, path],
  { encoding: 'utf8', uid: 65534, gid: 65534 }).stdout.trim();
  t.equal(probe(daemon.rw), 'EACCES');
  t.equal(probe(daemon.ro), 'connected');
});

t.test('a VirError crosses the wire whole', async (t) => {
  const remote = await open(uri(daemon.rw));
  const local = await open('test:///default');
  const err = async (c: typeof remote) => { try { await c.lookupDomainByName('nosuch'); } catch (e) { return e; } };
  const [r, l] = [await err(remote), await err(local)];
  t.type(r, VirError);
  t.same((r as VirError).toJSON(), (l as VirError).toJSON());
  await remote.close();
  await local.close();
});

t.test('driver state is shared by all clients', async (t) => {
  const a = await open(uri(daemon.rw));
  const b = await open(uri(daemon.rw));
  const dom = await a.lookupDomainByName('test');
  await dom.suspend();
  t.equal((await (await b.lookupDomainByName('test')).getState()).state, 3, 'b sees a\'s suspend (VIR_DOMAIN_PAUSED)');
  await dom.resume();
  await a.close();
  await b.close();
});

t.test('events reach subscribed clients; a lost connection gives libvirt\'s error; events resume after reconnecting', async (t) => {
  const d = await startDaemon();
  const conn = await open(uri(d.rw));
  const seen: string[] = [];
  let arrived: () => void = () => undefined;
  await conn.domainEventRegister((e: DomainEvent) => { seen.push(`${e.kind} ${e.domain.name} ${'event' in e ? `${e.event} ${e.detail}` : ''}`); arrived(); });
  const next = () => new Promise<void>((resolve) => { arrived = resolve; });
  let got = next();
  await (await conn.lookupDomainByName('test')).destroy();
  await got;
  t.same(seen, ['lifecycle test 5 1'], 'Stopped Destroyed');

  t.equal(await d.stop(), 0, 'SIGTERM: a clean exit');
  t.notOk(existsSync(d.rw), 'the sockets are removed');
  await t.rejects(conn.getType(), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.RPC, message: 'internal error: client socket is closed' });
  t.equal(await conn.isAlive(), false);

  const again = await startDaemon([], d.dir);
  t.teardown(() => again.stop());
  while (!(await conn.isAlive())) await new Promise((r) => setTimeout(r, 50));
  got = next();
  await (await conn.lookupDomainByName('test')).destroy();
  await got;
  t.same(seen.at(-1), 'lifecycle test 5 1', 'the event arrives over the new connection');
  await conn.close();
});

t.test('a call in flight when the daemon goes gets libvirt\'s end-of-file error', async (t) => {
  const d = await startDaemon();
  const conn = await open(uri(d.rw));
  // Many calls so that some are in flight when the daemon dies.
  const calls = Array.from({ length: 2000 }, () => conn.getHostname().then(() => null, (e: unknown) => e));
  d.proc.kill('SIGKILL');
  const errors = (await Promise.all(calls)).filter((e) => e !== null) as VirError[];
  t.ok(errors.length > 0, `${errors.length} calls failed`);
  t.match(errors[0], { code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.RPC, message: 'End of file while reading data: Input/output error' });
  await conn.close();
});

t.test('virsh event --all --loop prints events as libvirt\'s virsh does until SIGINT', async (t) => {
  const proc = spawn('/usr/bin/env', [...NODE, VIRSH, '-c', uri(daemon.rw), 'event', '--all', '--loop'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const conn = await open(uri(daemon.rw));
  const dom = await conn.lookupDomainByName('test');
  // virsh registers some time after it starts: act until it has seen something.
  while (!out.includes('Resumed')) {
    await dom.suspend();
    await dom.resume();
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGINT');
  t.equal(await exited, 0);
  const events = out.split('\n').filter((l) => l.startsWith("event '"));
  t.ok(events.length > 0 && events.every((l) => /^event 'lifecycle' for domain 'test': (Suspended Paused|Resumed Unpaused)$/.test(l)), 'libvirt\'s lines');
  t.match(out, /event loop interrupted\nevents received: \d+\n\n?$/);
  t.same(virsh('-c', uri(daemon.rw), 'event', '--all', '--timeout', '1'), { out: 'event loop timed out\nevents received: 0\n\n', err: '', rc: 1 });
  await conn.close();
});

/** Why the daemon and its clients cannot run as another user here (a clone in a private folder), or false. */
const otherUser = otherUserCannotRead(TSVIRTD);

t.test('a local URI whose driver is not in the process goes to the user\'s daemon in $XDG_RUNTIME_DIR/tsvirt', { skip: otherUser }, async (t) => {
  // The user's own runtime folder, as pam_systemd makes $XDG_RUNTIME_DIR.
  const runtime = socketDir();
  chownSync(runtime, 65534, 65534);
  chmodSync(runtime, 0o700);
  const user = { uid: 65534, gid: 65534, env: { XDG_RUNTIME_DIR: runtime } };
  const d = await startDaemon([], null, user);
  t.teardown(() => d.stop());
  t.ok(existsSync(join(runtime, 'tsvirt', 'tsvirt-sock')), 'the default socket folder of a non-root user');
  // From a folder where no driver package resolves, as a client without the test driver.
  const script = `import(${JSON.stringify(CORE)}).then(async ({ open }) => { const c = await open('test:///default'); console.log(await c.getType(), (await c.listAllDomains()).map((d) => d.name).join()); await c.close(); }, (e) => console.log(e.message))`;
  const r = spawnSync('/usr/bin/env', [...NODE, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: runtime, ...user, env: { ...process.env, ...user.env } });
  t.equal(r.stdout, 'TEST test\n');
});

t.test('a qemu:/// URI goes to the user\'s daemon while one runs (it owns the guests\' monitors), else (autostart off) to this process', { skip: otherUser }, async (t) => {
  // The user's own runtime folder, as pam_systemd makes $XDG_RUNTIME_DIR.
  const runtime = socketDir();
  chownSync(runtime, 65534, 65534);
  chmodSync(runtime, 0o700);
  const user = { uid: 65534, gid: 65534 };
  const clientEnv = { ...process.env, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(runtime, 'client-config'), HOME: runtime, LIBVIRT_DEFAULT_URI: '' };
  const daemonEnv = { XDG_RUNTIME_DIR: runtime, TSVIRT_QEMU_CONFIG_DIR: join(runtime, 'daemon-config'), TSVIRT_QEMU_RUN_DIR: join(runtime, 'daemon-run') };
  const d = await startDaemon([], null, { ...user, env: daemonEnv });
  t.teardown(() => d.stop());
  const xml = join(runtime, 'viadaemon.xml');
  writeFileSync(xml, "<domain type='qemu'><name>viadaemon</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>");
  // virsh has the QEMU driver installed beside it: with no daemon, it runs the driver in process.
  const virshQemu = (...args: string[]) => spawnSync('/usr/bin/env', [...NODE, VIRSH, '-c', 'qemu:///session', ...args],
    { encoding: 'utf8', cwd: runtime, ...user, env: clientEnv });
  t.equal(virshQemu('define', xml).status, 0);
  const fromDaemon = await open(`qemu+unix:///session?socket=${join(runtime, 'tsvirt', 'tsvirt-sock')}`);
  t.same((await fromDaemon.listAllDomains()).map((dom) => dom.name), ['viadaemon'], 'the daemon has what the local URI defined');
  await fromDaemon.close();
  t.equal(virshQemu('list', '--all', '--name').stdout, 'viadaemon\n\n');
  t.equal(await d.stop(), 0);
  // (with no daemon a session client starts one: session-daemon.test.ts; here it is told not to)
  clientEnv.TSVIRT_AUTOSTART = '0';
  t.equal(virshQemu('list', '--all', '--name').stdout, '\n', 'with no daemon, this process\'s own QEMU instance, which has no such domain');
});
