import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import {
  ConnectListAllNetworksFlags as N, ConnectListAllStoragePoolsFlags as P, ConnectListAllInterfacesFlags as I,
  ConnectListAllNodeDeviceFlags as D, ErrorNumber, StoragePoolState, open,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);
const NET2 = "<network><name>net2</name><uuid>22222222-3333-4444-5555-666666666666</uuid><bridge name='virbr9'/></network>";
const GiB = 1024 ** 3;

t.test('test:///default has libvirt\'s network, pool, interface and devices', async (t) => {
  const c = await openDefault(t);
  const [net] = await c.listAllNetworks();
  t.match(net, { name: 'default', uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df' });
  t.equal(await net.getBridgeName(), 'virbr0');
  t.match(await net.getXMLDesc(), /<forward mode='nat'\/>\n {2}<bridge name='virbr0' stp='on' delay='0'\/>/);
  const [pool] = await c.listAllStoragePools();
  t.same(await pool.getInfo(), { state: StoragePoolState.RUNNING, capacity: 100 * GiB, allocation: 0, available: 100 * GiB });
  t.same(await pool.listAllVolumes(), []);
  const [iface] = await c.listAllInterfaces(I.ACTIVE);
  t.match(iface, { name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff' });
  t.equal((await c.lookupInterfaceByMAC('AA:BB:CC:DD:EE:FF')).name, 'eth1');
  t.equal(await (await c.lookupNodeDeviceByName('scsi_host11')).getParent(), 'scsi_host1');
  t.same((await c.listAllNodeDevices(D.CAP_SYSTEM)).map((d) => d.name), ['computer'], 'filtered by capability');
  await t.rejects(c.listAllNodeDevices(D.ACTIVE), { code: ErrorNumber.INVALID_ARG, message: 'unsupported flags (0x80000000) in function testConnectListAllNodeDevices' });
});

t.test('networks: define, start, destroy, undefine, with libvirt\'s errors', async (t) => {
  const c = await openDefault(t);
  const net = await c.defineNetworkXML(NET2);
  t.match(await net.getXMLDesc(), /<bridge name='virbr9' stp='on' delay='0'\/>/, 'STP and delay filled in');
  t.same((await c.listAllNetworks(N.INACTIVE)).map((n) => n.name), ['net2']);
  await net.create();
  await t.rejects(net.create(), { code: ErrorNumber.OPERATION_INVALID, message: "Requested operation is not valid: Network 'net2' is already running" });
  await t.rejects(net.undefine(), { message: "Requested operation is not valid: Network 'net2' is still running" });
  await t.rejects(c.defineNetworkXML(NET2.replace('net2', 'net3')), { code: ErrorNumber.OPERATION_FAILED, message: "operation failed: network 'net2' is already defined with uuid 22222222-3333-4444-5555-666666666666" });
  await t.rejects(net.getXMLDesc(1), { message: 'unsupported flags (0x1) in function testNetworkGetXMLDesc' });
  await net.destroy();
  await net.undefine();
  await t.rejects(c.lookupNetworkByName('net2'), { code: ErrorNumber.NO_NETWORK, message: "Network not found: no network with matching name 'net2'" });
  const transient = await c.createNetworkXML(NET2);
  t.equal(await transient.isPersistent(), false);
  await transient.destroy();
  t.same((await c.listAllNetworks(N.INACTIVE | N.ACTIVE)).map((n) => n.name), ['default'], 'a stopped transient network is gone');
  await t.rejects(c.lookupNetworkByUUID('00000000-0000-0000-0000-000000000000'), { code: ErrorNumber.NO_NETWORK });
  const ro = await open('test:///default', { readOnly: true });
  await t.rejects(ro.defineNetworkXML(NET2), { code: ErrorNumber.OPERATION_DENIED });
});

t.test('volumes take their space from the pool; pool state rules', async (t) => {
  const c = await openDefault(t);
  const pool = await c.lookupStoragePoolByName('default-pool');
  const vol = await pool.createVolumeXML("<volume><name>vol1.img</name><capacity unit='MiB'>100</capacity></volume>");
  t.match(vol, { name: 'vol1.img', key: '/default-pool/vol1.img', path: '/default-pool/vol1.img', pool: 'default-pool' });
  t.match(await pool.getInfo(), { allocation: 100 * 1024 ** 2, available: 100 * GiB - 100 * 1024 ** 2 });
  await t.rejects(pool.createVolumeXML("<volume><name>vol1.img</name><capacity>1</capacity></volume>"), { code: ErrorNumber.OPERATION_FAILED, message: 'operation failed: storage vol already exists' });
  await t.rejects(pool.createVolumeXML("<volume><name>big</name><capacity unit='G'>200</capacity></volume>"), { message: "internal error: Not enough free space in pool for volume 'big'" });
  t.equal((await c.lookupStorageVolByPath('/default-pool/vol1.img')).name, 'vol1.img');
  await t.rejects(c.lookupStorageVolByPath('nosuch'), { code: ErrorNumber.NO_STORAGE_VOL, message: "Storage volume not found: no storage vol with matching path 'nosuch'" });
  await t.rejects(pool.undefine(), { message: "Requested operation is not valid: storage pool 'default-pool' is active" });
  await pool.destroy();
  await t.rejects(pool.listAllVolumes(), { code: ErrorNumber.OPERATION_INVALID, message: 'Requested operation is not valid: storage pool is not active' });
  await t.rejects(pool.destroy(), { message: "Requested operation is not valid: storage pool 'default-pool' is not active" });
  await pool.create();
  await vol.delete();
  t.match(await pool.getInfo(), { allocation: 0 });
  t.same(await c.listAllStoragePools(P.FS), [], 'filtered by pool type');
  await t.rejects(c.lookupStoragePoolByName('nosuch'), { code: ErrorNumber.NO_STORAGE_POOL, message: "Storage pool not found: no storage pool with matching name 'nosuch'" });
  await t.rejects(c.defineStoragePoolXML("<pool type='dir'><name>default-pool</name><target><path>/x</path></target></pool>"),
    { code: ErrorNumber.OPERATION_FAILED, message: /^operation failed: pool 'default-pool' already exists with uuid dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566$/ });
});

/** A folder holding `files` (name to content), for node files and the files they name. */
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'node-file-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const CPU = '<cpu><mhz>6000</mhz><model>i986</model><active>50</active><nodes>4</nodes><sockets>4</sockets><cores>4</cores><threads>2</threads></cpu><memory>8192000</memory>';
const POOL = "<pool type='dir'><name>default-pool</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e53fe</uuid><target><path>/default-pool</path></target></pool>";
const VOL = "<volume><name>default-vol</name><capacity unit='GiB'>1</capacity><target><path>/default-pool/default-vol</path></target></volume>";
const DEVICE = '<device><name>File_test_device</name><parent>computer</parent><capability type="system"><hardware><vendor>tsvirt</vendor></hardware></capability></device>';
const net = (name: string, uuid: string, bridge: string) => `<network><name>${name}</name><uuid>${uuid}</uuid><bridge name='${bridge}'/></network>`;

t.test('a node file: inline objects and objects in files relative to it', async (t) => {
  const inlineDir = folderWith({
    'node.xml': `<node>${net('private', '004b22212d78c30f5aa5f03c87d21e69', 'virbr1')}${net('default', '004b96e12d78c30f5aa5f03c87d21e69', 'virbr0')}
      ${POOL.replace('</pool>', `${VOL}</pool>`)}${CPU}</node>`,
  });
  t.teardown(() => rmSync(inlineDir, { recursive: true, force: true }));
  const inline = await open(`test://${inlineDir}/node.xml`);
  t.match(await inline.getNodeInfo(), { model: 'i986', cpus: 50, mhz: 6000, nodes: 4, memory: 8192000 });
  t.same((await inline.listAllNetworks()).map((n) => n.name).sort(), ['default', 'private']);
  const [pool] = await inline.listAllStoragePools();
  t.same((await pool.listAllVolumes()).map((v) => v.path), ['/default-pool/default-vol']);
  // objects in files named relative to the node file, one folder up
  const filesDir = folderWith({
    'nodes/node.xml': `<node><network file="../objects/net.xml"/><pool file="../objects/pool.xml"><volume file="../objects/vol.xml"/></pool>
      <device file="../objects/dev.xml"/>${CPU}</node>`,
    'objects/net.xml': net('private', '004b22212d78c30f5aa5f03c87d21e69', 'virbr1'),
    'objects/pool.xml': POOL,
    'objects/vol.xml': VOL,
    'objects/dev.xml': DEVICE,
  });
  t.teardown(() => rmSync(filesDir, { recursive: true, force: true }));
  const fixed = await open(`test://${filesDir}/nodes/node.xml`);
  t.same((await fixed.listAllNodeDevices()).map((d) => d.name), ['File_test_device']);
  t.same((await fixed.listAllNetworks()).map((n) => n.name), ['private']);
  t.same(await (await fixed.lookupStoragePoolByName('default-pool')).listAllVolumes(), [], 'volumes beside a pool file are not read, as in libvirt');
});

t.test('a node file that cannot be loaded or is not a node', async (t) => {
  await t.rejects(open('test:///nonexistent/node.xml'), { code: ErrorNumber.XML_ERROR, message: "XML error: failed to parse xml document '/nonexistent/node.xml'" });
  const dir = folderWith({ 'node.xml': `<node><domain file="missing-domain.xml"/>${CPU}</node>` });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await t.rejects(open(`test://${dir}/node.xml`), { code: ErrorNumber.XML_ERROR, message: `XML error: failed to parse xml document '${dir}/missing-domain.xml'` },
    'a file the node names and that is missing');
  writeFileSync(join(dir, 'bad.xml'), '<notnode/>');
  await t.rejects(open(`test://${dir}/bad.xml`), { message: "XML error: expecting root element of 'node', not 'notnode'" });
  writeFileSync(join(dir, 'cpu.xml'), '<node><cpu><nodes>x</nodes></cpu></node>');
  await t.rejects(open(`test://${dir}/cpu.xml`), { message: 'XML error: invalid node cpu nodes value' });
});
