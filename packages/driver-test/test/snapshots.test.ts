import t from 'tap';
import {
  DomainSnapshotDeleteFlags as Del, DomainSnapshotListFlags as List, DomainSnapshotRevertFlags as Revert, DomainState, ErrorNumber, open,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);
const snapXml = (name: string, description?: string) =>
  `<domainsnapshot><name>${name}</name>${description ? `<description>${description}</description>` : ''}</domainsnapshot>`;
const names = (snaps: { name: string }[]) => snaps.map((s) => s.name).sort();

t.test('create, list, look up; each new snapshot is current and a child of the previous', async (t) => {
  const dom = await (await openDefault(t)).lookupDomainByName('test');
  t.equal(await dom.hasCurrentSnapshot(), false);
  const s1 = await dom.snapshotCreateXML(snapXml('s1', 'first'));
  const s2 = await dom.snapshotCreateXML(snapXml('s2'));
  t.match(s1, { name: 's1', domain: 'test' });
  t.same(names(await dom.listAllSnapshots()), ['s1', 's2']);
  t.same(names(await dom.listAllSnapshots(List.ROOTS)), ['s1']);
  t.same(names(await dom.listAllSnapshots(List.LEAVES)), ['s2']);
  t.equal((await dom.snapshotCurrent()).name, 's2');
  t.equal(await s1.isCurrent(), false);
  t.equal((await s2.getParent()).name, 's1');
  t.same(names(await s1.listAllChildren()), ['s2']);
  t.equal(await s1.hasMetadata(), true);
  const xml = await s1.getXMLDesc();
  t.match(xml, /^<domainsnapshot>\n {2}<name>s1<\/name>\n {2}<description>first<\/description>\n {2}<state>running<\/state>\n {2}<creationTime>\d+<\/creationTime>\n {2}<memory snapshot='internal'\/>\n {2}<disks>\n {4}<disk name='vda' snapshot='internal'\/>\n {2}<\/disks>\n {2}<domain type='test'>\n {4}<name>test<\/name>/);
  t.match(await s2.getXMLDesc(), /<parent>\n {4}<name>s1<\/name>\n {2}<\/parent>/);
});

t.test('revert brings back the definition and the state', async (t) => {
  const dom = await (await openDefault(t)).lookupDomainByName('test');
  const s1 = await dom.snapshotCreateXML(snapXml('s1'));
  await dom.setMemory(1048576, 1);
  await dom.destroy();
  await s1.revert();
  t.match(await dom.getState(), { state: DomainState.RUNNING, reason: 4 /* from snapshot */ });
  t.equal((await dom.getInfo()).memory, 2097152);
  await s1.revert(Revert.PAUSED);
  t.equal((await dom.getState()).state, DomainState.PAUSED);
  await dom.destroy();
  const off = await dom.snapshotCreateXML(snapXml('off'));
  await dom.create();
  await off.revert();
  t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: 7 /* from snapshot */ });
  t.equal((await dom.snapshotCurrent()).name, 'off');
});

t.test('delete: children move up, or go with CHILDREN; the current one falls back to the parent', async (t) => {
  const dom = await (await openDefault(t)).lookupDomainByName('test');
  const a = await dom.snapshotCreateXML(snapXml('a'));
  const b = await dom.snapshotCreateXML(snapXml('b'));
  await dom.snapshotCreateXML(snapXml('c'));
  await b.delete();
  t.equal((await (await dom.snapshotLookupByName('c')).getParent()).name, 'a');
  await a.delete(Del.CHILDREN_ONLY);
  t.same(names(await dom.listAllSnapshots()), ['a']);
  t.equal((await dom.snapshotCurrent()).name, 'a');
  await a.delete();
  t.equal(await dom.hasCurrentSnapshot(), false);
});

t.test('bad names, unknown snapshots and wrong states give libvirt\'s errors', async (t) => {
  const dom = await (await openDefault(t)).lookupDomainByName('test');
  await t.rejects(dom.snapshotLookupByName('nope'),
    { code: ErrorNumber.NO_DOMAIN_SNAPSHOT, message: "Domain snapshot not found: no domain snapshot with matching name 'nope'" });
  await t.rejects(dom.snapshotCurrent(), { code: ErrorNumber.NO_DOMAIN_SNAPSHOT, message: 'Domain snapshot not found: the domain does not have a current snapshot' });
  const s = await dom.snapshotCreateXML(snapXml('s'));
  await t.rejects(s.getParent(), { code: ErrorNumber.NO_DOMAIN_SNAPSHOT, message: "Domain snapshot not found: snapshot 's' does not have a parent" });
  await t.rejects(dom.snapshotCreateXML(snapXml('s')), { code: ErrorNumber.OPERATION_FAILED, message: 'operation failed: domain snapshot s already exists' });
  await t.rejects(dom.snapshotCreateXML(snapXml('a\nb')), { code: ErrorNumber.XML_DETAIL, message: 'invalid char in name: 0x0a' });
  await t.rejects(dom.snapshotCreateXML('<domain/>'), { code: ErrorNumber.XML_ERROR });
  await t.rejects(dom.snapshotCreateXML('<domainsnapshot>'), { code: ErrorNumber.XML_DETAIL });
  await t.rejects(s.revert(Revert.RUNNING | Revert.PAUSED), { code: ErrorNumber.INVALID_ARG });
  await dom.destroy();
  await t.rejects(dom.rename('other'), { message: 'Requested operation is not valid: cannot rename domain with snapshots' });
  const unnamed = await dom.snapshotCreateXML('<domainsnapshot/>');
  t.match(unnamed.name, /^\d+$/, 'an unnamed snapshot is named by its creation time');
  t.match(await unnamed.getXMLDesc(), /<state>shutoff<\/state>[^]*<memory snapshot='no'\/>/);
});
