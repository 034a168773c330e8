import t from 'tap';
import { DomainCreateFlags, DomainDeviceModifyFlags as Dev, DomainState, DomainXMLFlags, ErrorNumber, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

// Device hot-plug and START_PAUSED: tsvirt's additions to the mock (DIFFERENCES.md).

registerDriver(driver);
const DISK = "<disk type='file' device='disk'><source file='/img/vdb.img'/><target dev='vdb' bus='virtio'/></disk>";
const NIC = "<interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>";
const TRANSIENT = "<domain type='test'><name>t1</name><memory>262144</memory><os><type>hvm</type></os></domain>";

const xmlOf = async (dom: { getXMLDesc(f?: number): Promise<string> }, inactive = false) => dom.getXMLDesc(inactive ? DomainXMLFlags.INACTIVE : 0);

t.test('attach with CURRENT on a running domain changes the running definition only', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await dom.attachDevice(DISK);
  t.match(await xmlOf(dom), /<target dev='vdb' bus='virtio'\/>/);
  t.notMatch(await xmlOf(dom, true), /vdb/, 'the persistent definition is untouched');
  await dom.destroy();
  t.notMatch(await xmlOf(dom), /vdb/, 'a live-only device is gone after the stop');
});

t.test('CONFIG changes the persistent definition, LIVE|CONFIG both', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await dom.attachDevice(NIC, Dev.CONFIG);
  t.notMatch(await xmlOf(dom), /52:54:00:11:22:33/);
  t.match(await xmlOf(dom, true), /52:54:00:11:22:33/);
  await dom.attachDevice(DISK, Dev.LIVE | Dev.CONFIG);
  t.match(await xmlOf(dom), /vdb/);
  t.match(await xmlOf(dom, true), /vdb/);
  await dom.detachDevice(DISK, Dev.LIVE | Dev.CONFIG);
  t.notMatch(await xmlOf(dom) + await xmlOf(dom, true), /vdb/);
  await dom.destroy();
  t.match(await xmlOf(dom), /52:54:00:11:22:33/, 'the persistent change takes effect at the stop');
});

t.test('an interface without a MAC gets one, the same in both definitions', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await dom.attachDevice("<interface type='network'><source network='default'/></interface>", Dev.LIVE | Dev.CONFIG);
  const mac = /<mac address='(52:54:00:[0-9a-f:]{8})'\/>/.exec(await xmlOf(dom))?.[1];
  t.ok(mac);
  t.match(await xmlOf(dom, true), mac!);
});

t.test('device errors have libvirt\'s codes and messages', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await t.rejects(dom.detachDevice(DISK), { code: ErrorNumber.DEVICE_MISSING, message: 'device not found: no target device vdb' });
  await t.rejects(dom.attachDevice("<disk type='file' device='disk'><source file='/x'/><target dev='vda'/></disk>"),
    { code: ErrorNumber.OPERATION_FAILED, message: 'operation failed: target vda already exists' });
  await t.rejects(dom.attachDevice('<disk'), { code: ErrorNumber.XML_DETAIL });
  await dom.destroy();
  await t.rejects(dom.attachDevice(DISK, Dev.LIVE), { code: ErrorNumber.OPERATION_INVALID, message: 'Requested operation is not valid: domain is not running' });
  const tr = await c.createDomainXML(TRANSIENT);
  await t.rejects(tr.attachDevice(DISK, Dev.CONFIG),
    { code: ErrorNumber.OPERATION_INVALID, message: 'Requested operation is not valid: transient domains do not have any persistent config' });
  await t.rejects(dom.attachDevice(DISK, 8), { code: ErrorNumber.INVALID_ARG, message: 'unsupported flags (0x8) in function testDomainAttachDeviceFlags' });
});

t.test('START_PAUSED starts a domain paused, from create and from createXML', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await dom.destroy();
  await dom.create(DomainCreateFlags.START_PAUSED);
  t.same(await dom.getState(), { state: DomainState.PAUSED, reason: 1 });
  const tr = await c.createDomainXML(TRANSIENT, DomainCreateFlags.START_PAUSED);
  t.equal((await tr.getState()).state, DomainState.PAUSED);
  await tr.resume();
  t.equal((await tr.getState()).state, DomainState.RUNNING);
});
