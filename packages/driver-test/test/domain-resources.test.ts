import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  DomainEventType, DomainMemoryModFlags as Mem, DomainMetadataType as Meta, DomainRunningReason, DomainShutoffReason, DomainState,
  DomainVcpuFlags as Vcpu, DomainXMLFlags, ErrorDomain, ErrorNumber, open, type DomainEvent,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);
const testDomain = async (t: Test) => (await openDefault(t)).lookupDomainByName('test');

t.test('memory: balloon and maximum, live and config, with libvirt\'s checks', async (t) => {
  const dom = await testDomain(t);
  await dom.setMemory(1048576, Mem.LIVE);
  t.match(await dom.getInfo(), { memory: 1048576, maxMem: 8388608 });
  t.match(await dom.getXMLDesc(DomainXMLFlags.INACTIVE), /<currentMemory unit='KiB'>2097152</, 'a live change leaves the persistent definition');
  await t.rejects(dom.setMaxMemory(4194304), { code: ErrorNumber.OPERATION_INVALID, message: 'Requested operation is not valid: cannot resize the maximum memory on an active domain' });
  await t.rejects(dom.setMemory(9000000, Mem.LIVE), { code: ErrorNumber.INVALID_ARG, message: 'invalid argument: cannot set memory higher than max memory' });
  await dom.setMemory(1048576, Mem.CONFIG | Mem.MAXIMUM);
  t.match(await dom.getXMLDesc(DomainXMLFlags.INACTIVE), /<memory unit='KiB'>1048576<\/memory>\n {2}<currentMemory unit='KiB'>1048576</, 'a lower maximum lowers the balloon');
  await dom.destroy();
  await t.rejects(dom.setMemory(1024, Mem.LIVE), { message: 'Requested operation is not valid: domain is not running' });
});

t.test('vCPUs: counts, maximum, pinning', async (t) => {
  const dom = await testDomain(t);
  t.equal(await dom.getVcpusFlags(Vcpu.LIVE | Vcpu.MAXIMUM), 2);
  await t.rejects(dom.setVcpus(4, Vcpu.LIVE), { code: ErrorNumber.INVALID_ARG, message: 'invalid argument: requested cpu amount exceeds maximum (4 > 2)' });
  await t.rejects(dom.setVcpus(33), { message: 'invalid argument: requested cpu amount exceeds maximum supported amount (33 > 32)' });
  await t.rejects(dom.setVcpus(4, Vcpu.LIVE | Vcpu.MAXIMUM), { message: 'Requested operation is not valid: cannot set max vcpu count of a live domain' });
  await dom.setVcpus(1, Vcpu.LIVE);
  t.equal((await dom.getInfo()).nrVirtCpu, 1);
  await dom.setVcpus(2, Vcpu.LIVE);
  await dom.pinVcpu(0, [1, 3]);
  const pins = await dom.getVcpuPinInfo();
  t.same(pins[0], { vcpu: 0, cpus: [1, 3] });
  t.equal(pins[1].cpus.length, 16);
  const [v0] = await dom.getVcpus();
  t.match(v0, { number: 0, cpu: 3, affinity: [1, 3] });
  await t.rejects(dom.pinVcpu(5, [0]), { message: "invalid argument: requested vcpu '5' is not present in the domain" });
});

t.test('save and restore through a file; managed save; libvirt\'s reasons', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  const file = join(mkdtempSync(join(tmpdir(), 'tsvirt-save-')), 'test.save');
  await dom.save(file);
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED });
  await c.restoreDomain(file);
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.RESTORED });
  // as libvirt: a handle's id is a value that save set to -1 and restore (not made through it) leaves alone
  t.equal(dom.id, -1);
  t.equal((await c.lookupDomainByName('test')).id, 2);
  await t.rejects(c.restoreDomain(file), { code: ErrorNumber.OPERATION_INVALID, message: "Requested operation is not valid: domain 'test' is already active" });
  const bad = `${file}.bad`;
  writeFileSync(bad, 'garbage');
  await t.rejects(c.restoreDomain(bad), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: mismatched header magic' });
  await dom.managedSave();
  t.equal(await dom.hasManagedSaveImage(), true);
  await dom.create();
  t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.BOOTED }, 'as libvirt\'s test driver: the image is dropped');
  t.equal(await dom.hasManagedSaveImage(), false);
  const tr = await c.createDomainXML("<domain type='test'><name>t1</name><memory>1024</memory><os><type>hvm</type></os></domain>");
  await t.rejects(tr.managedSave(), { message: 'Requested operation is not valid: cannot do managed save for transient domain' });
});

t.test('metadata: elements by namespace, title and description', async (t) => {
  const dom = await testDomain(t);
  await dom.setMetadata(Meta.ELEMENT, '<foo a="1"><bar/></foo>', 'ex', 'http://example.org/ns');
  t.equal(await dom.getMetadata(Meta.ELEMENT, 'http://example.org/ns'), '<foo a="1">\n  <bar/>\n</foo>');
  t.match(await dom.getXMLDesc(), /<metadata>\n {4}<ex:foo xmlns:ex="http:\/\/example.org\/ns" a="1">/);
  await dom.setMetadata(Meta.ELEMENT, undefined, undefined, 'http://example.org/ns');
  await t.rejects(dom.getMetadata(Meta.ELEMENT, 'http://example.org/ns'),
    { code: ErrorNumber.NO_DOMAIN_METADATA, message: 'metadata not found: Requested metadata element is not present' });
  t.notMatch(await dom.getXMLDesc(), /<metadata>/);
  await dom.setMetadata(Meta.TITLE, 'My guest');
  t.equal(await dom.getMetadata(Meta.TITLE), 'My guest');
  await t.rejects(dom.setMetadata(Meta.TITLE, 'a\nb'), { message: "invalid argument: title can't contain newlines" });
});

t.test('statistics and host resources', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  t.same(await dom.getBlockInfo('vda'), { capacity: 1099506450432, allocation: 1099511627776, physical: 1099511627776 });
  t.same(await dom.getBlockInfo('/guest/diskimage1'), await dom.getBlockInfo('vda'), 'a disk by its source path');
  await t.rejects(dom.getBlockInfo('vdz'), { code: ErrorNumber.INVALID_ARG, message: 'invalid argument: invalid path vdz not assigned to domain' });
  t.ok((await dom.interfaceStats('testnet0')).rxBytes > 0);
  await t.rejects(dom.interfaceStats('eth9'), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.DOMAIN, message: "invalid argument: 'eth9' is not a known interface" });
  await t.rejects(dom.blockStats(''), { code: ErrorNumber.OPERATION_UNSUPPORTED, domain: ErrorDomain.TEST, message: 'Operation not supported: summary statistics are not supported yet' });
  t.match(await dom.memoryStats(), [{ tag: 6, val: 2097152 }]);
  t.same(await dom.getSchedulerParameters(), { weight: 50 });
  t.same(await c.getCellsFreeMemory(0, 2), [2097152, 4194304]);
  await t.rejects(c.getCellsFreeMemory(5, 1), { message: 'invalid argument: Range exceeds available cells' });
  t.same(await c.getCPUMap(), { cpus: 8, online: [0, 2, 4] });
  t.equal(await dom.getHostname(), 'testhost');
});

t.test('rename: only a shut off, persistent domain, to a free name', async (t) => {
  const c = await openDefault(t);
  const dom = await c.lookupDomainByName('test');
  await t.rejects(dom.rename('x'), { message: 'Requested operation is not valid: cannot rename active domain' });
  // libvirt's order: the API's argument check, the driver's state checks, the shared
  // layer's name checks, then the driver's own check of the name
  await t.rejects(dom.rename(''), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.DOMAIN, message: /^string new_name in virDomainRename must not be empty$/, str1: 'virDomainRename', str2: 'new_name' });
  await t.rejects(dom.rename('a/b'), { code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.TEST, message: 'Requested operation is not valid: cannot rename active domain' });
  await dom.destroy();
  await c.defineDomainXML("<domain type='test'><name>other</name><memory>1024</memory><os><type>hvm</type></os></domain>");
  await t.rejects(dom.rename('test'), { code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.DOMAIN, message: "Requested operation is not valid: Can't rename domain to itself" });
  await t.rejects(dom.rename('other'), { code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.DOMAIN, message: "Requested operation is not valid: domain with name 'other' already exists" });
  await t.rejects(dom.rename('a/b'), { code: ErrorNumber.XML_ERROR, domain: ErrorDomain.TEST, message: "XML error: name a/b cannot contain '/'" });
  t.equal((await c.lookupDomainByName('test')).uuid, dom.uuid, 'a refused rename keeps the name findable');
  await dom.rename('test2');
  t.equal((await c.lookupDomainByName('test2')).uuid, dom.uuid);
  await t.rejects(c.lookupDomainByName('test'), { code: ErrorNumber.NO_DOMAIN });
});

t.test('lifecycle events reach registered listeners, after the call', async (t) => {
  const c = await openDefault(t);
  const seen: [string, number, number][] = [];
  const id = await c.domainEventRegister((e: DomainEvent) => { if (e.kind === 'lifecycle') seen.push([e.domain.name, e.event, e.detail]); });
  const dom = await c.lookupDomainByName('test');
  await dom.suspend();
  t.same(seen, [], 'delivered after the call returns');
  await dom.resume();
  await dom.destroy();
  await dom.create();
  await new Promise((r) => setImmediate(r));
  t.same(seen, [['test', DomainEventType.SUSPENDED, 0], ['test', DomainEventType.RESUMED, 0], ['test', DomainEventType.STOPPED, 1], ['test', DomainEventType.STARTED, 0]]);
  await c.domainEventDeregister(id);
  await t.rejects(c.domainEventDeregister(id), { code: ErrorNumber.INVALID_ARG });
});

t.test('tunables and disk errors, as libvirt\'s test driver reports them', async (t) => {
  const dom = await testDomain(t);
  t.same(await dom.getMemoryParameters(), { hard_limit: Number.MAX_SAFE_INTEGER, soft_limit: Number.MAX_SAFE_INTEGER, swap_hard_limit: Number.MAX_SAFE_INTEGER });
  t.same(await dom.getNumaParameters(), { numa_mode: 0, numa_nodeset: '' });
  t.match(await dom.getInterfaceParameters('aa:bb:cc:dd:ee:ff'), { 'inbound.average': 0, 'outbound.burst': 0 });
  await t.rejects(dom.getInterfaceParameters('eth7'), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.DOMAIN, message: "invalid argument: 'eth7' is not a known interface" });
  t.same(await dom.getDiskErrors(), [{ disk: 'vda', error: 1 }]);
  await t.rejects(dom.connection.getDomainCapabilities(), { code: ErrorNumber.NO_SUPPORT, message: 'this function is not supported by the connection driver: virConnectGetDomainCapabilities' });
  await dom.destroy();
  await t.rejects(dom.getDiskErrors(), { message: 'Requested operation is not valid: domain is not running' });
});

t.test('domain stats: the state group for the domains a filter selects', async (t) => {
  const c = await openDefault(t);
  const [rec] = await c.getAllDomainStats();
  t.same(rec, { domain: '6695eb01-f6a4-8304-79aa-97f2502e193f', params: { 'state.state': 1, 'state.reason': 0 } });
  t.same(await c.getAllDomainStats(0, 64 /* SHUTOFF */), []);
  t.same(await c.getAllDomainStats(8 /* VCPU */), [{ domain: rec.domain, params: {} }], 'an unknown group is left out');
  await t.rejects(c.getAllDomainStats(8, 0x80000000), { code: ErrorNumber.ARGUMENT_UNSUPPORTED });
});
