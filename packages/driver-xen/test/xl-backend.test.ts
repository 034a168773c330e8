// xen:///system's xl backend against a scripted stand-in for xl that answers with
// the real xl 4.17's output formats: NOT VERIFIED ON A HYPERVISOR (none runs here).
// Lifecycle, persistence, save and restore, memory, vCPUs, devices, statistics,
// console, domains started behind the driver's back, and xl misbehaving.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ConnectListAllDomainsFlags as L, DomainEventType as Ev, DomainModificationImpact as Impact, DomainShutoffReason, DomainState, ErrorDomain,
  ErrorNumber, open, type Connect, type DomainEvent,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { runXl } from '../src/xl/xl-command.js';
import { failure } from './fixtures/failure.js';
import { useXlStandIn } from './fixtures/xl-standin.js';

registerDriver(driver);
// every xl call is a process of the stand-in's: on a loaded machine each takes a while
t.setTimeout(600_000);

const guestXml = (name: string, devices = '') => `<domain type='xen'>
  <name>${name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/xen/images/${name}.img'/><target dev='xvda' bus='xen'/></disk>
    <interface type='bridge'><source bridge='xenbr0'/><mac address='00:16:3e:00:00:01'/></interface>${devices}
  </devices>
</domain>`;

async function connect(t: Tap.Test): Promise<Connect> {
  const c = await open('xen:///system', { localOnly: true });
  t.teardown(() => c.close());
  return c;
}

async function eventsOf(conn: Connect) {
  const seen: [string, number, number][] = [];
  await conn.domainEventRegister((e: DomainEvent) => { if (e.kind === 'lifecycle') seen.push([e.domain.name, e.event, e.detail]); });
  return seen;
}
const tick = () => new Promise((r) => setImmediate(r));

t.test('lifecycle through xl, not verified on a hypervisor (scripted xl stand-in)', async (t) => {
  const xl = useXlStandIn(t);
  const conn = await connect(t);
  const events = await eventsOf(conn);
  const dom = await conn.defineDomainXML(guestXml('g1'));
  t.ok(existsSync(path.join(xl.dir, 'config', 'g1.xml')), 'the definition is kept in the config folder');
  t.same(xl.domains(), [], 'defining starts nothing');
  await dom.create();
  const [running] = xl.domains();
  t.match(running, { name: 'g1', uuid: dom.uuid, memKiB: 262144, vcpus: 2, type: 'hvm' }, 'xl create got the definition\'s xl.cfg');
  t.match(running.disks, [/vdev=xvda/], 'with its disk');
  t.equal(dom.id, running.id);
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: 1 });
  t.equal((await conn.lookupDomainByID(running.id)).name, 'g1');
  t.match(await dom.getXMLDesc(), new RegExp(`^<domain type='xen' id='${running.id}'>`));
  t.equal(await dom.getOSType(), 'hvm');

  await dom.suspend();
  t.equal(xl.domains()[0].paused, true);
  t.same(await dom.getState(), { state: DomainState.PAUSED, reason: 1 });
  await dom.resume();
  t.equal(xl.domains()[0].paused, false);
  t.match(await failure(() => dom.create()), { code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.LIBXL, message: 'Requested operation is not valid: Domain is already running' });
  await dom.reboot();
  await dom.shutdown();
  t.same(xl.domains(), []);
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SHUTDOWN });
  t.equal(dom.id, -1);
  t.match(await failure(() => dom.suspend()), { code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.DOMAIN, message: 'Requested operation is not valid: domain is not running' });
  await dom.create();
  await dom.destroy();
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.DESTROYED });
  t.notOk(existsSync(path.join(xl.dir, 'run', 'g1.xml')), 'no live state left');
  await dom.undefine();
  t.notOk(existsSync(path.join(xl.dir, 'config', 'g1.xml')));
  t.match(await failure(() => conn.lookupDomainByName('g1')), { code: ErrorNumber.NO_DOMAIN, domain: ErrorDomain.LIBXL });
  await tick();
  t.same(events.map(([, e]) => e), [Ev.DEFINED, Ev.STARTED, Ev.SUSPENDED, Ev.RESUMED, Ev.STOPPED, Ev.STARTED, Ev.STOPPED, Ev.UNDEFINED]);

  const transient = await conn.createDomainXML(guestXml('t1'));
  t.equal(await transient.isPersistent(), false);
  t.equal(xl.domains().length, 1);
  await transient.destroy();
  t.match(await failure(() => conn.lookupDomainByName('t1')), { code: ErrorNumber.NO_DOMAIN }, 'a transient domain goes when it stops');

  t.match(await failure(() => conn.defineDomainXML(guestXml('../evil'))), { code: ErrorNumber.XML_ERROR, message: /cannot contain '\/'/ });
  t.match(await failure(() => conn.defineDomainXML("<domain type='kvm'><name>k</name><memory>1024</memory><os><type>hvm</type></os></domain>")), {
    code: ErrorNumber.CONFIG_UNSUPPORTED, domain: ErrorDomain.LIBXL,
  });
});

t.test('a new connection finds the definitions and what runs; a domain started by hand and a guest that powers off (xl stand-in, not a hypervisor)', async (t) => {
  const xl = useXlStandIn(t);
  const first = await open('xen:///system', { localOnly: true });
  const dom = await first.defineDomainXML(guestXml('keep'));
  await dom.setAutostart(true);
  await dom.create();
  await first.close();

  xl.edit((ds) => [...ds, { id: 42, name: 'by-hand', uuid: '5a4d7a1c-0d3e-4c1b-9b61-2f0c1e8d9a77', memKiB: 524288, maxMemKiB: 524288, vcpus: 1, maxVcpus: 1, type: 'pv', paused: false, disks: [], vifs: [], cpuTime: 3.5 }]);
  const conn = await connect(t);
  const keep = await conn.lookupDomainByName('keep');
  t.equal(await keep.isActive(), true, 'the running domain is found again');
  t.equal(await keep.getAutostart(), true);
  t.match(await keep.getXMLDesc(), /xvda/, 'with its full live definition, not only what xl says');
  const byHand = await conn.lookupDomainByID(42);
  t.equal(byHand.name, 'by-hand');
  t.equal(await byHand.isPersistent(), false, 'a domain this driver did not define is transient');
  t.match(await byHand.getXMLDesc(), /<memory unit='KiB'>524288<\/memory>/, 'described from xl list -l');
  t.same((await conn.listAllDomains(L.ACTIVE)).map((d) => d.name).sort(), ['by-hand', 'keep'], 'Domain-0 is not listed');

  const events = await eventsOf(conn);
  xl.edit((ds) => ds.filter((d) => d.name !== 'keep'));
  t.same(await keep.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SHUTDOWN }, 'the guest powered off by itself');
  await tick();
  t.same(events, [['keep', Ev.STOPPED, 0]]);
  await keep.undefine();
});

t.test('autostart: the first start after the host\'s boot starts the marked domains, a later open does not (xl stand-in, not a hypervisor)', async (t) => {
  const xl = useXlStandIn(t);
  const first = await open('xen:///system', { localOnly: true });
  const dom = await first.defineDomainXML(guestXml('auto'));
  await dom.setAutostart(true);
  await first.defineDomainXML(guestXml('manual'));
  await first.close();
  // a new boot: the run folder is empty again
  rmSync(path.join(xl.dir, 'run'), { recursive: true, force: true });
  const booted = await connect(t);
  t.same(xl.domains().map((d) => d.name), ['auto'], 'only the autostart domain was started');
  t.equal(await (await booted.lookupDomainByName('auto')).isActive(), true);
  await (await booted.lookupDomainByName('auto')).destroy();
  const later = await connect(t);
  t.same(xl.domains(), [], 'a later open leaves a destroyed domain alone');
  t.equal(await (await later.lookupDomainByName('auto')).getAutostart(), true);
});

t.test('memory, vCPUs and devices, live and in the config (xl stand-in, not a hypervisor)', async (t) => {
  const xl = useXlStandIn(t);
  const conn = await connect(t);
  const dom = await conn.defineDomainXML(guestXml('res'));
  await dom.setMemory(131072, Impact.CONFIG);
  t.match(await dom.getXMLDesc(0x2), /<currentMemory unit='KiB'>131072<\/currentMemory>/, 'config only while it is off');
  await dom.create();
  t.equal(xl.domains()[0].memKiB, 131072, 'started with the changed config');
  await dom.setMemory(200000);
  t.equal(xl.domains()[0].memKiB, 200000, 'xl mem-set');
  t.match(await failure(() => dom.setMemory(999999999)), { code: ErrorNumber.INVALID_ARG, message: /higher than max memory/ });
  t.match(await failure(() => dom.setMemory(-5)), { code: ErrorNumber.INVALID_ARG });
  await dom.setVcpus(1);
  t.equal(xl.domains()[0].vcpus, 1, 'xl vcpu-set');
  t.equal(await dom.getVcpusFlags(Impact.LIVE), 1);
  t.equal(await dom.getVcpusFlags(Impact.CONFIG), 2, 'the config keeps its count');
  t.match(await failure(() => dom.setVcpus(3)), { code: ErrorNumber.INVALID_ARG, message: /greater than max allowable vcpus/ });

  const disk = "<disk type='file' device='disk'><source file='/var/lib/xen/images/data.img'/><target dev='xvdb' bus='xen'/></disk>";
  await dom.attachDevice(disk, Impact.LIVE | Impact.CONFIG);
  t.match(xl.domains()[0].disks, [/vdev=xvda/, /vdev=xvdb,.*target=\/var\/lib\/xen\/images\/data.img/], 'xl block-attach with the xl spec of the disk');
  t.match(await dom.getXMLDesc(), /xvdb/);
  t.match(await dom.getXMLDesc(0x2), /xvdb/, 'and in the config');
  t.match(await failure(() => dom.attachDevice(disk)), { code: ErrorNumber.OPERATION_FAILED, message: /target xvdb already exists/ });
  await dom.detachDevice(disk, Impact.LIVE);
  t.equal(xl.domains()[0].disks.length, 1, 'xl block-detach');
  t.match(await dom.getXMLDesc(0x2), /xvdb/, 'still in the config');
  await dom.attachDevice("<interface type='bridge'><source bridge='xenbr1'/></interface>");
  t.match(xl.domains()[0].vifs[1], /^mac=00:16:3e:[0-9a-f:]{8},bridge=xenbr1/, 'a NIC gets its MAC from the driver, in Xen\'s range');
  const mac = /mac=([0-9a-f:]+)/.exec(xl.domains()[0].vifs[1])![1];
  await dom.detachDevice(`<interface type='bridge'><mac address='${mac}'/><source bridge='xenbr1'/></interface>`);
  t.equal(xl.domains()[0].vifs.length, 1, 'xl network-detach by MAC');
  t.match(await failure(() => dom.attachDevice("<sound model='ich6'/>")), { code: ErrorNumber.OPERATION_UNSUPPORTED });
  await dom.destroy();
});

t.test('save and restore, managed save (xl stand-in, not a hypervisor)', async (t) => {
  const xl = useXlStandIn(t);
  const conn = await connect(t);
  const dom = await conn.defineDomainXML(guestXml('sv'));
  await dom.create();
  const image = path.join(xl.dir, 'sv.save');
  await dom.save(image);
  t.same(xl.domains(), []);
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED });
  t.ok(readFileSync(image, 'latin1').startsWith('Xen saved domain, xl format'), 'xl\'s image');
  await conn.restoreDomain(image);
  t.equal(await dom.isActive(), true);
  t.equal(xl.domains()[0].name, 'sv');
  t.match(await failure(() => conn.restoreDomain('relative.save')), { code: ErrorNumber.INVALID_ARG, message: /absolute path/ });
  t.match(await failure(() => conn.restoreDomain(path.join(xl.dir, 'none.save'))), { code: ErrorNumber.OPERATION_FAILED });
  await dom.managedSave();
  t.equal(await dom.hasManagedSaveImage(), true);
  t.match(await failure(() => dom.undefine()), { code: ErrorNumber.OPERATION_INVALID, message: /managed save image exists/ });
  await dom.create();
  t.equal(await dom.hasManagedSaveImage(), false, 'a start restores the image and drops it');
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: 3 }, 'restored');
  await dom.destroy();
});

t.test('statistics from the block backend and the vif, and the console (xl stand-in and a host tree of the test\'s own, not a hypervisor)', async (t) => {
  const xl = useXlStandIn(t);
  const conn = await connect(t);
  const dom = await conn.defineDomainXML(guestXml('st'));
  await dom.create();
  const id = dom.id;
  const vbd = path.join(xl.dir, 'host/sys/bus/xen-backend/devices', `vbd-${id}-51712`, 'statistics');
  mkdirSync(vbd, { recursive: true });
  for (const [f, v] of Object.entries({ rd_req: 10, rd_sect: 80, wr_req: 3, wr_sect: 24, oo_req: 1 })) writeFileSync(path.join(vbd, f), `${v}\n`);
  t.same(await dom.blockStats('xvda'), { rdReq: 10, rdBytes: 40960, wrReq: 3, wrBytes: 12288, errs: 1 });
  t.match(await failure(() => dom.blockStats('xvdz')), { code: ErrorNumber.INVALID_ARG });
  writeFileSync(path.join(vbd, 'rd_req'), 'lots\n');
  t.match(await failure(() => dom.blockStats('xvda')), { code: ErrorNumber.INTERNAL_ERROR, message: /unexpected value/ }, 'a counter that is not a number is not trusted');
  mkdirSync(path.join(xl.dir, 'host/proc/net'), { recursive: true });
  writeFileSync(path.join(xl.dir, 'host/proc/net/dev'), `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
vif${id}.0:    5000      50    1    2    0     0          0         0     7000      70    3    4    0     0       0          0
`);
  t.same(await dom.interfaceStats(`vif${id}.0`), { rxBytes: 7000, rxPackets: 70, rxErrs: 3, rxDrop: 4, txBytes: 5000, txPackets: 50, txErrs: 1, txDrop: 2 }, 'the guest\'s side of the vif');
  t.same(await dom.interfaceStats('00:16:3e:00:00:01'), await dom.interfaceStats(`vif${id}.0`), 'by MAC too');

  const console = await dom.openConsole();
  let text = '';
  console.on('data', (b: Buffer) => { text += b; });
  console.write('root\n');
  const deadline = Date.now() + 5000;
  while (!text.includes('login: root') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.match(text, /xenguest login: root/, 'xl console\'s output, and what was typed');
  console.destroy();
  await dom.destroy();
});

t.test('xl misbehaving: garbage, floods, hangs and failures give clear errors (stand-ins)', async (t) => {
  const xl = useXlStandIn(t);
  const script = (name: string, body: string) => {
    const file = path.join(xl.dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  };
  const garbage = script('garbage-xl', 'if [ "$1" = info ]; then exec "$XL_REAL" "$@"; fi\necho "this is not xl list"');
  process.env.XL_REAL = process.env.TSVIRT_XEN_XL;
  process.env.TSVIRT_XEN_XL = garbage;
  const conn = await connect(t);
  t.match(await failure(() => conn.listAllDomains()), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.LIBXL, message: /unexpected output of xl list: no header line/ });

  t.match(await failure(() => runXl({ binary: script('flood', 'yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') }, ['list'])), {
    code: ErrorNumber.INTERNAL_ERROR, message: /printed more than 16777216 bytes/,
  });
  const started = Date.now();
  t.match(await failure(() => runXl({ binary: script('hang', 'sleep 30'), timeoutMs: 300 }, ['list'])), {
    code: ErrorNumber.OPERATION_TIMEOUT, message: /xl list did not finish within 0.3 s/,
  });
  t.ok(Date.now() - started < 5000, 'no hang');
  const broken = script('broken', 'echo "libxl: error: libxl_create.c:1272: something broke" >&2\necho "cannot create domain" >&2\nexit 3');
  t.match(await failure(() => runXl({ binary: broken }, ['create', 'x.cfg'])), { detail: 'libxl: error: libxl_create.c:1272: something broke; cannot create domain', status: 3 });
  t.match(await failure(() => runXl({ binary: script('bad-info', 'echo "nr_cpus : many"') }, ['info']).then((r) => import('../src/xl/xl-info.js').then((m) => m.parseXlInfo(r.stdout)))), {
    code: ErrorNumber.INTERNAL_ERROR, message: /nr_cpus 'many' is not a number/,
  });

  process.env.TSVIRT_XEN_XL = process.env.XL_REAL;
  const good = await connect(t);
  const dom = await good.defineDomainXML(guestXml('clash'));
  xl.edit((ds) => [...ds, { id: 9, name: 'clash', uuid: '11111111-2222-3333-4444-555555555555', memKiB: 1024, maxMemKiB: 1024, vcpus: 1, maxVcpus: 1, type: 'pv', paused: false, disks: [], vifs: [], cpuTime: 0 }]);
  t.match(await failure(() => dom.create()), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.LIBXL, message: /^internal error: Failed to start domain 'clash': .*already exists/ }, 'xl\'s refusal, in its words');
});
