// The qemu:///session driver through core's public API, with real QEMU
// processes: a diskless guest that never boots an OS (SeaBIOS finds nothing to
// boot), which is all lifecycle, events, reattachment and errors need.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DomainJobType, DomainMemoryStatTags, DomainVcpuFlags, type DomainJobInfo,
  DomainCreateFlags, DomainEventType, DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber, open,
  VirError, type Connect, type DomainEvent,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { QemuConnection } from '../src/qemu-connection.js';
import { qemuDirs } from '../src/qemu-dirs.js';
import { QmpClient } from '../src/qmp/qmp-client.js';
import { privateSession } from './fixtures/private-session.js';

const dir = privateSession('tsvirt-qemu-conn-');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
registerDriver(driver);
t.setTimeout(240_000);
const dirs = qemuDirs('session');

const domainXml = (name: string, devices = '') => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>${devices}</devices>
</domain>`;

/** The pid of a running domain's QEMU, from its state file. */
const qemuPid = (name: string) => Number(/pid='(\d+)'/.exec(readFileSync(path.join(dirs.runDir, `${name}.xml`), 'utf8'))![1]);
/** The monitor socket of a domain: named by its uuid. */
const monitorOf = (dom: { uuid: string }) => path.join(dirs.runDir, `${dom.uuid}.qmp`);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** Collects the connection's lifecycle events as [event, detail] pairs. */
async function recordEvents(conn: Connect): Promise<Array<[number, number]>> {
  const seen: Array<[number, number]> = [];
  await conn.domainEventRegister((e: DomainEvent) => { if (e.kind === 'lifecycle') seen.push([e.event, e.detail]); });
  return seen;
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function expectVirError(t: Tap.Test, p: Promise<unknown>, code: number, message: string | RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  t.ok(e instanceof VirError, `a VirError (${String(e)})`);
  t.equal((e as VirError).code, code);
  t.match((e as VirError).message, message);
}

t.test('define, start, suspend, resume, destroy, undefine, with their events', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const events = await recordEvents(conn);
  const dom = await conn.defineDomainXML(domainXml('life'));
  t.ok(existsSync(path.join(dirs.configDir, 'life.xml')), 'persistent config written');

  let started = performance.now();
  await dom.create();
  t.comment(`start: ${(performance.now() - started).toFixed(1)} ms`);
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.BOOTED });
  t.ok(dom.id > 0, 'a running domain has an id');
  const pid = qemuPid('life');
  t.ok(alive(pid));
  t.match(await dom.getXMLDesc(), /<domain type='qemu' id='\d+'>/);
  await expectVirError(t, dom.create(), ErrorNumber.OPERATION_INVALID, 'Requested operation is not valid: domain is already running');

  await dom.suspend();
  t.same(await dom.getState(), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
  await dom.resume();
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.UNPAUSED });

  started = performance.now();
  await dom.destroy();
  t.comment(`destroy: ${(performance.now() - started).toFixed(1)} ms`);
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.DESTROYED });
  t.notOk(alive(pid), 'QEMU is gone');
  t.notMatch(readFileSync(path.join(dirs.runDir, 'life.xml'), 'utf8'), /pid=/, 'live state replaced by the shut-off record');
  await expectVirError(t, dom.destroy(), ErrorNumber.OPERATION_INVALID, 'domain is not running');

  await dom.undefine();
  await expectVirError(t, conn.lookupDomainByName('life'), ErrorNumber.NO_DOMAIN, "Domain not found: no domain with matching name 'life'");
  // events are delivered after the call that caused them has returned
  await until('six events', () => events.length >= 6);
  t.same(events, [
    [DomainEventType.DEFINED, 0], [DomainEventType.STARTED, 0], [DomainEventType.SUSPENDED, 0],
    [DomainEventType.RESUMED, 0], [DomainEventType.STOPPED, 1], [DomainEventType.UNDEFINED, 0],
  ]);
});

t.test('a QEMU killed with SIGKILL is a crash: shut off (crashed), STOPPED (failed)', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const events = await recordEvents(conn);
  const dom = await conn.createDomainXML(domainXml('victim'), DomainCreateFlags.START_PAUSED);
  t.same(await dom.getState(), { state: DomainState.PAUSED, reason: DomainPausedReason.USER }, '--paused');
  process.kill(qemuPid('victim'), 'SIGKILL');
  await until('the STOPPED event', () => events.some(([e]) => e === DomainEventType.STOPPED));
  t.same(events, [[DomainEventType.STARTED, 0], [DomainEventType.SUSPENDED, 0], [DomainEventType.STOPPED, 5]]);
  // A transient domain is gone with its QEMU.
  await expectVirError(t, conn.lookupDomainByName('victim'), ErrorNumber.NO_DOMAIN, /victim/);

  const kept = await conn.defineDomainXML(domainXml('kept'));
  await kept.create(DomainCreateFlags.START_PAUSED);
  process.kill(qemuPid('kept'), 'SIGKILL');
  await until('the crash to be seen', () => events.filter(([e]) => e === DomainEventType.STOPPED).length === 2);
  t.same(await kept.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.CRASHED });
  await kept.undefine();
});

t.test('a new connection reattaches to running guests and cleans up after dead ones', async (t) => {
  const first = await open('qemu:///session');
  const survivor = await first.defineDomainXML(domainXml('survivor'));
  await survivor.create(DomainCreateFlags.START_PAUSED);
  const ghost = await first.defineDomainXML(domainXml('ghost'));
  await ghost.create(DomainCreateFlags.START_PAUSED);
  const id = survivor.id;
  await first.close();

  const ghostPid = qemuPid('ghost');
  process.kill(ghostPid, 'SIGKILL');
  await until('the ghost to die', () => !alive(ghostPid));

  const second = await open('qemu:///session');
  t.teardown(() => second.close());
  const again = await second.lookupDomainByName('survivor');
  t.equal(again.id, id, 'same id');
  t.same(await again.getState(), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
  t.same((await second.listAllDomains(1)).map((d) => d.name), ['survivor'], 'only the live one is active');
  t.notMatch(readFileSync(path.join(dirs.runDir, 'ghost.xml'), 'utf8'), /pid=/, 'stale live state replaced');
  t.notOk(existsSync(monitorOf(ghost)), 'stale monitor socket removed');
  t.notOk(existsSync(path.join(dirs.runDir, 'ghost.pid')), 'stale pidfile removed');
  t.same(await (await second.lookupDomainByName('ghost')).getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.UNKNOWN });

  // The reattached monitor works both ways: commands and events.
  const events = await recordEvents(second);
  await again.resume();
  t.equal((await again.getState()).state, DomainState.RUNNING);
  const pid = qemuPid('survivor');
  const started = performance.now();
  await again.destroy();
  t.comment(`destroy of a reattached QEMU: ${(performance.now() - started).toFixed(1)} ms`);
  t.notOk(alive(pid));
  await until('two events', () => events.length >= 2);
  t.same(events, [[DomainEventType.RESUMED, 0], [DomainEventType.STOPPED, 1]]);
  await again.undefine();
  await (await second.lookupDomainByName('ghost')).undefine();
});

t.test('a disk attached live appears in the live XML and in QMP query-block', async (t) => {
  const image = path.join(dir, 'extra,disk.img');
  writeFileSync(image, Buffer.alloc(1 << 20));
  let conn = await open('qemu:///session');
  const dom = await conn.createDomainXML(domainXml('hotplug'), DomainCreateFlags.START_PAUSED);
  const disk = `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${image}'/><target dev='vdb' bus='virtio'/></disk>`;
  await dom.attachDevice(disk, 1);
  t.match(await dom.getXMLDesc(), new RegExp(`<source file='${image}'/>\\s*<target dev='vdb' bus='virtio'/>`));
  await expectVirError(t, dom.attachDevice(disk, 1), ErrorNumber.OPERATION_FAILED, 'operation failed: target vdb already exists');
  await expectVirError(t, dom.attachDevice(disk.replace(image, '/nonexistent.img').replace('vdb', 'vdc'), 1),
    ErrorNumber.SYSTEM_ERROR, "Cannot access storage file '/nonexistent.img': No such file or directory");

  // The monitor takes one client: let go of it to look for ourselves.
  await conn.close();
  const qmp = await QmpClient.connect({ socketPath: monitorOf(dom) });
  const blocks = await qmp.execute<Array<{ qdev?: string; inserted?: { file: string } }>>('query-block');
  await qmp.close();
  t.ok(blocks.some((b) => b.qdev?.includes('virtio-disk1') && b.inserted?.file === image), 'query-block lists the new disk');

  conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  await (await conn.lookupDomainByName('hotplug')).destroy();
});

t.test('bad input gives libvirt-coded errors and leaves no QEMU behind', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  await expectVirError(t, conn.defineDomainXML(domainXml('a/b')), ErrorNumber.XML_ERROR, "name a/b cannot contain '/'");
  await expectVirError(t, conn.defineDomainXML(domainXml('.hidden')), ErrorNumber.XML_ERROR, /cannot start with '.'/);
  await expectVirError(t, conn.defineDomainXML(domainXml('sound', "<sound model='pcspk'/>")), ErrorNumber.CONFIG_UNSUPPORTED,
    "unsupported configuration: sound model 'pcspk'");
  await expectVirError(t, conn.domainXMLToNative('xen-xm', domainXml('x')), ErrorNumber.INVALID_ARG, 'unsupported config type xen-xm');

  const missing = await conn.defineDomainXML(domainXml('nodisk',
    "<disk type='file' device='disk'><source file='/nonexistent/disk.img'/><target dev='vda' bus='virtio'/></disk>"));
  await expectVirError(t, missing.create(), ErrorNumber.SYSTEM_ERROR, "Cannot access storage file '/nonexistent/disk.img': No such file or directory");
  t.equal((await missing.getState()).state, DomainState.SHUTOFF);
  await missing.undefine();

  // QEMU refuses this machine type after exec: the start fails and nothing is left running.
  const bad = await conn.defineDomainXML(domainXml('badmachine').replace("machine='pc'", "machine='no-such-machine'"));
  await expectVirError(t, bad.create(), ErrorNumber.INTERNAL_ERROR, /^internal error: process exited while connecting to monitor: .*unsupported machine type/s);
  t.equal((await bad.getState()).state, DomainState.SHUTOFF);
  t.notOk(existsSync(monitorOf(bad)), 'no monitor socket');
  t.notOk(existsSync(path.join(dirs.runDir, 'badmachine.pid')), 'no pidfile, no process');
  await bad.undefine();
});

t.test('a second state-changing job waits, then fails with "cannot acquire state change lock"', async (t) => {
  const conn = await QemuConnection.open({ uri: 'qemu:///session', dirs, binary: process.env.TSVIRT_QEMU ?? 'qemu-system-x86_64', jobWaitMs: 1 });
  t.teardown(() => conn.connectClose());
  const dom = await conn.connectDefineDomainXML(domainXml('locked'), 0);
  const [first, second] = await Promise.allSettled([conn.domainCreate(dom, 1), conn.domainCreate(dom, 1)]);
  t.equal(first.status, 'fulfilled');
  t.equal(second.status, 'rejected');
  const e = (second as PromiseRejectedResult).reason as VirError;
  t.equal(e.code, ErrorNumber.OPERATION_TIMEOUT);
  t.equal(e.message, 'Timed out during operation: cannot acquire state change lock (held by monitor=virDomainCreate)');
  await conn.domainDestroy(dom, 0);
  await conn.domainUndefine(dom, 0);
});

t.test('live queries and changes: vCPU threads and pinning, balloon, block statistics', async (t) => {
  const image = path.join(dir, 'stats.img');
  writeFileSync(image, Buffer.alloc(1 << 20));
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const dom = await conn.defineDomainXML(domainXml('live', `
    <disk type='file' device='disk'><source file='${image}'/><target dev='vda' bus='virtio'/></disk>
    <memballoon model='virtio'/>`).replace('<vcpu>1</vcpu>', '<vcpu>2</vcpu>'));
  await dom.create(DomainCreateFlags.START_PAUSED);
  t.teardown(() => dom.destroy().catch(() => {}));

  const vcpus = await dom.getVcpus();
  t.same(vcpus.map((v) => v.number), [0, 1]);
  t.ok(vcpus.every((v) => v.affinity.length > 0), 'each vCPU thread has an affinity');
  await dom.pinVcpu(1, [0], 1);
  t.same((await dom.getVcpus())[1].affinity, [0], 'the vCPU thread is pinned');
  t.same((await dom.getVcpuPinInfo()).find((p) => p.vcpu === 1), { vcpu: 1, cpus: [0] });
  t.match(await dom.getXMLDesc(), /<vcpupin vcpu='1' cpuset='0'\/>/);
  await expectVirError(t, dom.pinVcpu(5, [0], 1), ErrorNumber.INVALID_ARG, 'vcpu 5 is out of range of live cpu count 2');

  await dom.setMemory(32768, 1);
  t.equal((await dom.getInfo()).memory, 32768, 'balloon target recorded');
  await expectVirError(t, dom.setMemory(1 << 30, 1), ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');

  const stats = await dom.blockStats('vda');
  t.same(Object.keys(stats).sort(), ['errs', 'rdBytes', 'rdReq', 'wrBytes', 'wrReq']);
  t.equal(stats.errs, -1);
  t.same(await dom.blockStats(image), stats, 'a disk is also named by its source');
  await expectVirError(t, dom.blockStats('vdz'), ErrorNumber.INVALID_ARG, 'invalid path: vdz');
  await dom.destroy();
  await dom.undefine();
});

t.test('save to a file and restore; managed save resumed by the next start', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const events = await recordEvents(conn);
  const dom = await conn.defineDomainXML(domainXml('saver'));
  await dom.create();
  const image = path.join(dir, 'saver.save');
  let started = performance.now();
  await dom.save(image);
  t.comment(`save: ${(performance.now() - started).toFixed(0)} ms`);
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED });
  started = performance.now();
  await conn.restoreDomain(image);
  t.comment(`restore: ${(performance.now() - started).toFixed(0)} ms`);
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.RESTORED });

  await dom.managedSave();
  t.equal(await dom.hasManagedSaveImage(), true);
  t.equal((await dom.getState()).state, DomainState.SHUTOFF);
  await expectVirError(t, dom.undefine(), ErrorNumber.OPERATION_INVALID, 'Refusing to undefine while domain managed save image exists');
  await dom.create();
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.RESTORED }, 'the start resumed the saved state');
  t.equal(await dom.hasManagedSaveImage(), false, 'and consumed the image');
  await dom.destroy();
  await dom.undefine();
  await until('ten events', () => events.length >= 10);
  t.same(events.map(([e, detail]) => `${e}/${detail}`), [
    '0/0', '2/0', '3/0', '5/4', '2/2', '3/0', '5/4', '2/2', '5/1', '1/0',
  ], 'defined, started, suspended, stopped (saved), started (restored), ..., stopped (destroyed), undefined');

  writeFileSync(path.join(dir, 'junk.save'), 'not a save image\n');
  await expectVirError(t, conn.restoreDomain(path.join(dir, 'junk.save')), ErrorNumber.OPERATION_FAILED, 'operation failed: image magic is incorrect');
});

t.test('capabilities and version come from the QEMU binary, probed once and cached', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const caps = await conn.getCapabilities();
  t.match(caps, /<os_type>hvm<\/os_type>/);
  t.match(caps, /<emulator>\/.*qemu-system-x86_64<\/emulator>/);
  t.match(caps, /<machine canonical='pc-i440fx-[\d.]+' maxCpus='\d+'>pc<\/machine>/);
  t.match(caps, /<domain type='qemu'\/>/);
  t.ok((await conn.getVersion()) >= 7_000_000, 'QEMU 7 or later, as libvirt numbers it');
  t.equal(await conn.getType(), 'QEMU');
});

t.test('a guest whose monitor another connection holds stays running, not cleaned up', async (t) => {
  const holder = await open('qemu:///session');
  const dom = await holder.createDomainXML(domainXml('shared'), DomainCreateFlags.START_PAUSED);
  const other = await open('qemu:///session');
  const seen = await other.lookupDomainByName('shared');
  t.equal(await seen.isActive(), true);
  t.equal(seen.id, dom.id);
  await expectVirError(t, seen.suspend(), ErrorNumber.OPERATION_FAILED, "the monitor of domain 'shared' is held by another connection");
  t.ok(existsSync(monitorOf(dom)), 'its monitor socket is left alone');
  await other.close();
  await dom.destroy();
  await holder.close();
});

t.test('domain capabilities: the binary\'s machines and CPU models, the devices xml-to-native supports', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const xml = await conn.getDomainCapabilities(undefined, undefined, 'pc', 'qemu');
  t.match(xml, /<domain>qemu<\/domain>\n  <machine>pc-i440fx-[\d.]+<\/machine>\n  <arch>x86_64<\/arch>/);
  t.match(xml, /<model usable='yes'>qemu64<\/model>/);
  t.match(xml, /<enum name='bus'>\n(?:\s*<value>\w+<\/value>\n)*\s*<value>virtio<\/value>/);
  t.match(xml, /<rng supported='yes'>\n\s*<enum name='model'>\n\s*<value>virtio<\/value>/, 'the devices the argv builder takes, with their choices');
  t.match(xml, /<tpm supported='yes'>[\s\S]*?<enum name='backendModel'>\n\s*<value>emulator<\/value>\n\s*<value>external<\/value>/);
  t.match(xml, /<memoryBacking supported='yes'>\n\s*<enum name='sourceType'>/);
  t.notMatch(xml, /<(?:hostdev|rng|filesystem|tpm|redirdev|channel) supported='no'/);
  await expectVirError(t, conn.getDomainCapabilities(undefined, undefined, 'no-such-machine', 'qemu'), ErrorNumber.INVALID_ARG,
    /the machine 'no-such-machine' is not supported by emulator '.*qemu-system-x86_64'/);
});

t.test('interface statistics of a tap interface (root and /dev/net/tun needed)', { skip: process.getuid?.() !== 0 || !existsSync('/dev/net/tun') ? 'needs root and /dev/net/tun' : false }, async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const tap = `tsvt${process.pid % 100000}`;
  const dom = await conn.createDomainXML(domainXml('tapped', `
    <interface type='ethernet'><mac address='52:54:00:aa:bb:cc'/><target dev='${tap}'/><model type='virtio'/></interface>
    <interface type='user'><mac address='52:54:00:aa:bb:cd'/></interface>`), DomainCreateFlags.START_PAUSED);
  t.teardown(() => dom.destroy().catch(() => {}));
  const stats = await dom.interfaceStats(tap);
  t.same(Object.keys(stats).sort(), ['rxBytes', 'rxDrop', 'rxErrs', 'rxPackets', 'txBytes', 'txDrop', 'txErrs', 'txPackets']);
  t.same(await dom.interfaceStats('52:54:00:aa:bb:cc'), stats, 'named by MAC too');
  await expectVirError(t, dom.interfaceStats('nope0'), ErrorNumber.INVALID_ARG, "invalid path, 'nope0' is not a known interface");
  await expectVirError(t, dom.interfaceStats('52:54:00:aa:bb:cd'), ErrorNumber.OPERATION_UNSUPPORTED, /'user' interfaces have none/);
});

t.test('across processes the job lock is a lock file: a live holder blocks, a dead one is taken over', async (t) => {
  const conn = await QemuConnection.open({ uri: 'qemu:///session', dirs, binary: process.env.TSVIRT_QEMU ?? 'qemu-system-x86_64', jobWaitMs: 100 });
  t.teardown(() => conn.connectClose());
  const dom = await conn.connectDefineDomainXML(domainXml('filelock'), 0);
  const lock = path.join(dirs.runDir, 'filelock.lock');
  // This test process stands for another virsh in the middle of a job.
  writeFileSync(lock, `${process.pid}\n`);
  const e = await Promise.resolve(conn.domainCreate(dom, 1)).then(() => undefined, (err: unknown) => err as VirError);
  t.equal(e?.code, ErrorNumber.OPERATION_TIMEOUT);
  t.equal(e?.message, `Timed out during operation: cannot acquire state change lock (held by process ${process.pid})`);
  t.equal((await conn.domainGetState(dom, 0)).state, DomainState.SHUTOFF, 'nothing started');

  writeFileSync(lock, '999999999\n');
  await conn.domainCreate(dom, 1);
  t.equal((await conn.domainGetState(dom, 0)).state, DomainState.PAUSED, 'a dead holder\'s lock is taken over');
  t.notOk(existsSync(lock), 'and released after the job');
  await conn.domainDestroy(dom, 0);
  await conn.domainUndefine(dom, 0);
});

t.test('interfaces hot-added, --config changes, and cdrom media change', async (t) => {
  const iso = path.join(dir, 'media.iso');
  writeFileSync(iso, Buffer.alloc(1 << 16));
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const dom = await conn.defineDomainXML(domainXml('devices', "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"));
  const nic = "<interface type='user'><mac address='52:54:00:01:02:03'/><model type='virtio'/></interface>";
  await dom.attachDevice(nic, 2);
  t.match(await dom.getXMLDesc(2), /<mac address='52:54:00:01:02:03'\/>/, '--config on a shut-off domain');
  await dom.detachDevice(nic, 2);
  t.notMatch(await dom.getXMLDesc(2), /52:54:00:01:02:03/);
  await expectVirError(t, dom.attachDevice(nic, 1), ErrorNumber.OPERATION_INVALID, 'domain is not running');

  await dom.create(DomainCreateFlags.START_PAUSED);
  t.teardown(() => dom.destroy().catch(() => {}));
  await dom.attachDevice(nic, 1);
  t.match(await dom.getXMLDesc(), /<mac address='52:54:00:01:02:03'\/>\s*<model type='virtio'\/>\s*<alias name='net0'\/>/, 'live, with its alias');
  t.notMatch(await dom.getXMLDesc(2), /52:54:00:01:02:03/, 'not in the persistent definition');

  await dom.updateDevice(`<disk type='file' device='cdrom'><source file='${iso}'/><target dev='hdc' bus='ide'/><readonly/></disk>`, 1);
  t.match(await dom.getXMLDesc(), new RegExp(`<source file='${iso}'/>`), 'new medium in the live definition');
  await dom.updateDevice("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>", 1);
  t.notMatch(await dom.getXMLDesc(), /media\.iso/, 'ejected');
  await dom.destroy();
  await dom.undefine();
});

// Statistics and jobs: memory statistics from the balloon the driver adds, vCPU counts,
// and the job info of a save while it runs (QEMU's migration progress) and after it.
t.test('dommemstat, vcpucount, domjobinfo during and after a save', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const dom = await conn.defineDomainXML(`<domain type='qemu'><name>stats</name><memory unit='MiB'>64</memory>
    <vcpu current='1'>2</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os><devices/></domain>`);
  t.teardown(() => dom.destroy().catch(() => {}));
  await dom.create();

  const stats = new Map((await dom.memoryStats(0)).map((s) => [s.tag, s.val]));
  t.equal(stats.get(DomainMemoryStatTags.ACTUAL_BALLOON), 65536, 'the balloon the driver added reports the guest memory, KiB');
  t.ok((stats.get(DomainMemoryStatTags.RSS) ?? 0) > 0, 'QEMU\'s resident memory');

  t.equal(await dom.getVcpusFlags(DomainVcpuFlags.MAXIMUM), 2);
  t.equal(await dom.getVcpusFlags(DomainVcpuFlags.LIVE), 1);
  t.equal(await dom.getVcpusFlags(DomainVcpuFlags.CONFIG | DomainVcpuFlags.MAXIMUM), 2);

  t.equal((await dom.getJobInfo()).type, DomainJobType.NONE, 'no job before');
  const file = path.join(dir, 'stats.save');
  const saving = dom.save(file);
  let seen: DomainJobInfo | undefined;
  let done = false;
  void saving.finally(() => { done = true; });
  while (!done) {
    const info = await dom.getJobInfo();
    if (info.type === DomainJobType.UNBOUNDED && info.dataTotal > 0) seen = info;
    await sleep(5);
  }
  await saving;
  t.ok(seen, 'the save was seen as a job with QEMU\'s progress');
  if (seen) {
    t.ok(seen.dataProcessed <= seen.dataTotal && seen.dataRemaining === seen.dataTotal - seen.dataProcessed, 'processed and remaining add up');
    t.ok(seen.timeElapsed >= 0);
  }
  t.equal((await dom.getJobInfo()).type, DomainJobType.NONE, 'no job after');
  await conn.restoreDomain(file);
  await dom.destroy();
  await dom.undefine();
});
