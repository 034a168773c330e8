import t from 'tap';
import { DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber, open, ConnectListAllDomainsFlags as L } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);
const NEWDOM = "<domain type='test'><name>newdom</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory unit='MiB'>128</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";
const TRANSIENT = "<domain type='test'><name>t1</name><memory>262144</memory><os><type>hvm</type></os></domain>";

t.test('test:///default holds libvirt\'s default objects, shared by the connections of a process until the last closes', async (t) => {
  const a = await openDefault(t);
  const b = await openDefault(t);
  const [dom] = await a.listAllDomains();
  t.match(dom, { name: 'test', id: 1, uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' });
  t.match(await dom.getInfo(), { state: DomainState.RUNNING, maxMem: 8388608, memory: 2097152, nrVirtCpu: 2 });
  t.same(await a.getNodeInfo(), { model: 'i686', memory: 3145728, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2 });
  t.equal(await a.getType(), 'TEST');
  t.equal(await a.getLibVersion(), 9000000);
  t.match(await a.getCapabilities(), /<secmodel>\n {6}<model>testSecurity<\/model>/);
  await dom.destroy();
  t.equal((await (await b.lookupDomainByName('test')).getState()).state, DomainState.SHUTOFF, 'b sees what a did');
  await a.close();
  t.equal((await (await b.lookupDomainByName('test')).getState()).state, DomainState.SHUTOFF, 'and still does once a is closed');
  await b.close();
  const fresh = await open('test:///default');
  t.equal((await (await fresh.lookupDomainByName('test')).getState()).state, DomainState.RUNNING, 'after the last close, a new open starts afresh');
  await fresh.close();
});

t.test('the lifecycle follows libvirt\'s state machine', async (t) => {
  const c = await openDefault(t);
  const def = await c.defineDomainXML(NEWDOM);
  t.equal(def.id, -1);
  t.equal(await def.isPersistent(), true);
  await def.create();
  t.equal(def.id, 2, 'ids increase on every start');
  t.same(await def.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.BOOTED });
  await t.rejects(def.create(), { code: ErrorNumber.OPERATION_INVALID });
  await def.suspend();
  await t.rejects(def.suspend(), { code: ErrorNumber.INTERNAL_ERROR, message: "internal error: domain 'newdom' not running" });
  await def.resume();
  t.same(await def.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.UNPAUSED });
  await t.rejects(def.resume(), { message: "internal error: domain 'newdom' not paused" });
  await def.shutdown();
  t.same(await def.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SHUTDOWN });
  await t.rejects(def.destroy(), { code: ErrorNumber.OPERATION_INVALID, message: 'Requested operation is not valid: domain is not running' });
  await def.create();
  t.equal(def.id, 3);
  t.equal((await c.lookupDomainByID(3)).name, 'newdom');
  await def.reboot();
  await def.reset();
  t.equal((await def.getState()).state, DomainState.RUNNING, 'a reset domain keeps running');
  await def.destroy();
  t.same(await def.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.DESTROYED });
  await t.rejects(c.lookupDomainByID(3), { code: ErrorNumber.NO_DOMAIN, message: /^Domain not found$/ });
  await def.undefine();
  await t.rejects(c.lookupDomainByName('newdom'), { code: ErrorNumber.NO_DOMAIN, message: /^Domain not found$/ });
});

t.test('transient domains vanish when they stop; undefining a running domain makes it transient', async (t) => {
  const c = await openDefault(t);
  const tr = await c.createDomainXML(TRANSIENT);
  t.equal(await tr.isPersistent(), false);
  t.equal((await c.listAllDomains(L.TRANSIENT)).map((d) => d.name).join(), 't1');
  // START_PAUSED (0x1) is tsvirt's addition (DIFFERENCES.md); AUTODESTROY is refused as libvirt does
  await t.rejects(c.createDomainXML(TRANSIENT.replace('t1', 't2'), 2), { code: ErrorNumber.INVALID_ARG, message: 'unsupported flags (0x2) in function testDomainCreateXML' });
  await tr.destroy();
  await t.rejects(c.lookupDomainByName('t1'), { code: ErrorNumber.NO_DOMAIN });
  const test = await c.lookupDomainByName('test');
  await test.undefine();
  t.equal(await test.isPersistent(), false);
  t.equal(test.id, 1);
  await test.destroy();
  t.same(await c.listAllDomains(), []);
});

t.test('list filters', async (t) => {
  const c = await openDefault(t);
  await c.defineDomainXML(NEWDOM);
  const names = async (f: number) => (await c.listAllDomains(f)).map((d) => d.name).sort().join();
  t.equal(await names(L.ACTIVE), 'test');
  t.equal(await names(L.INACTIVE), 'newdom');
  t.equal(await names(L.ACTIVE | L.INACTIVE), 'newdom,test');
  t.equal(await names(L.SHUTOFF), 'newdom');
  t.equal(await names(L.PAUSED), '');
  t.equal(await names(L.PERSISTENT), 'newdom,test');
  t.equal(await names(L.NO_AUTOSTART), 'newdom,test');
});

t.test('bad definitions: duplicate names and UUIDs, malformed XML, read-only', async (t) => {
  const c = await openDefault(t);
  await t.rejects(c.defineDomainXML(NEWDOM.replace('newdom', 'test')), { code: ErrorNumber.OPERATION_FAILED, message: /domain 'test' already exists with uuid 6695eb01/ });
  await c.defineDomainXML(NEWDOM);
  await t.rejects(c.defineDomainXML(NEWDOM.replace('newdom', 'other')), { code: ErrorNumber.OPERATION_FAILED, message: /domain 'newdom' is already defined with uuid/ });
  await t.rejects(c.defineDomainXML('<domain'), { code: ErrorNumber.XML_DETAIL });
  // libvirt's client library refuses a malformed UUID before any driver sees it.
  await t.rejects(c.lookupDomainByUUID('not-a-uuid'), { code: ErrorNumber.INVALID_ARG, message: 'Invalid UUID', str1: 'virDomainLookupByUUIDString', str2: 'uuidstr' });
  const ro = await open('test:///default', { readOnly: true });
  await t.rejects((await ro.lookupDomainByName('test')).destroy(), { code: ErrorNumber.OPERATION_DENIED });
  await t.rejects(open('test:///nonexistent/node.xml'), { code: ErrorNumber.XML_ERROR, message: "XML error: failed to parse xml document '/nonexistent/node.xml'" });
});
