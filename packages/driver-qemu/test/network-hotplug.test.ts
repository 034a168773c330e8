// Hot-plug and unplug of a network's and a bridge's interface on a running real guest
// (TCG), in a network namespace this test makes: the driver makes the tap on the
// bridge and hands it to QEMU by descriptor (hv-native), or, without hv-native's addon,
// as a persistent tap that QEMU opens by name; unplugged, the tap is gone.

import { spawnSync } from 'node:child_process';
import { GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { enterPrivateNetns, guestNetworkUnavailable } from './fixtures/private-netns.js';

const why = guestNetworkUnavailable();
// built (downloaded on first use) outside the namespace, which has no way out; found in its cache inside
const guest = why ? { skip: why } : await tinyGuest();
if (!('skip' in guest)) enterPrivateNetns(import.meta.url);

const { default: t } = await import('tap');
const { existsSync, readFileSync } = await import('node:fs');
const { nativeStatus } = await import('@tsvirt/hv-native');
const path = await import('node:path');
const { DomainDeviceModifyFlags } = await import('@tsvirt/core');
const { linkUp, masterOf, netnsGuestConnection, until } = await import('./fixtures/netns-guest-connection.js');

/** Whether a tap outlives its holders (made by name for QEMU to open) rather than living with QEMU's descriptor. */
const persistent = (name: string) => /\bpersist on\b/.test(spawnSync('ip', ['-d', 'link', 'show', name], { encoding: 'utf8' }).stdout);
const LIVE = DomainDeviceModifyFlags.LIVE;
const nic = (type: string, source: string, mac: string) => `<interface type='${type}'><mac address='${mac}'/><source ${source}/><model type='rtl8139'/></interface>`;

t.test('interfaces of a network and of a bridge plugged into a running guest and out', { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
  if ('skip' in guest) return;
  const { conn, dir } = await netnsGuestConnection(t, 'tsvirt-net-hotplug-');

  const net = await conn.createNetworkXML(`<network><name>nat1</name><forward mode='nat'/>
  <ip address='192.168.151.1' netmask='255.255.255.0'><dhcp><range start='192.168.151.100' end='192.168.151.200'/></dhcp></ip></network>`);
  spawnSync('ip', ['link', 'add', 'hostbr0', 'type', 'bridge']);
  const serialLog = path.join(dir, 'serial.log');
  const dom = await conn.defineDomainXML(tinyGuestDomainXml(guest, 'tiny', serialLog));
  const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
  await dom.create();
  t.teardown(() => { if (t.passing()) return; t.comment(`serial console:\n${serial().slice(-3000)}`); });
  // an unplug needs the guest's ACPI hot-plug handling, there once it is up
  await until(GUEST_READY_LINE, () => serial().includes(GUEST_READY_LINE), 180_000);

  const byDescriptor = nativeStatus().loaded;
  await dom.attachDevice(nic('network', "network='nat1'", '52:54:00:aa:00:01'), LIVE);
  let live = await dom.getXMLDesc();
  t.match(live, /<interface type='network'>[\s\S]*?<source network='nat1' bridge='virbr0'\/>[\s\S]*?<target dev='vnet0'\/>/, 'the live XML names the bridge and the tap') || t.comment(live);
  t.equal(masterOf('vnet0'), 'virbr0', "the network's tap is on its bridge");
  t.equal(persistent('vnet0'), !byDescriptor, byDescriptor ? 'QEMU holds the tap by descriptor' : 'without hv-native, a persistent tap');
  t.match(spawnSync('ip', ['-o', 'link', 'show', 'vnet0'], { encoding: 'utf8' }).stdout, 'link/ether fe:54:00:aa:00:01', "the host side's MAC starts with fe");

  await dom.attachDevice(nic('bridge', "bridge='hostbr0'", '52:54:00:aa:00:02'), LIVE);
  t.equal(masterOf('vnet1'), 'hostbr0', "the bridge interface's tap is on the host bridge");
  live = await dom.getXMLDesc();
  t.match(live, /<interface type='bridge'>[\s\S]*?<source bridge='hostbr0'\/>[\s\S]*?<target dev='vnet1'\/>/);
  t.notMatch(await dom.getXMLDesc(2 /* INACTIVE */), 'vnet', 'a live-only interface never reaches the config');

  // a bridge that is not there: refused before QEMU is asked, no tap left behind
  await t.rejects(dom.attachDevice(nic('bridge', "bridge='nobr0'", '52:54:00:aa:00:03'), LIVE), { message: /Cannot get interface MTU on 'nobr0': No such device/ });
  t.notOk(linkUp('vnet2'), 'no tap for the refused interface');

  await dom.detachDevice(nic('network', "network='nat1'", '52:54:00:aa:00:01'), LIVE);
  t.notOk(linkUp('vnet0'), "the network interface's tap is gone");
  t.notMatch(await dom.getXMLDesc(), '52:54:00:aa:00:01');
  await dom.detachDevice(nic('bridge', "bridge='hostbr0'", '52:54:00:aa:00:02'), LIVE);
  t.notOk(linkUp('vnet1'), "the bridge interface's tap is gone");

  // without hv-native's addon: a persistent tap that QEMU opens by name, removed by the driver
  process.env.TSVIRT_HV_NATIVE = 'off';
  t.teardown(() => { delete process.env.TSVIRT_HV_NATIVE; });
  await dom.attachDevice(nic('network', "network='nat1'", '52:54:00:aa:00:04'), LIVE);
  t.equal(masterOf('vnet0'), 'virbr0');
  t.ok(persistent('vnet0'), 'a persistent tap');
  await dom.detachDevice(nic('network', "network='nat1'", '52:54:00:aa:00:04'), LIVE);
  t.notOk(linkUp('vnet0'), 'the persistent tap is removed');

  await dom.destroy();
  t.ok(linkUp('hostbr0') && linkUp('virbr0'), 'the bridges stay');
  await net.destroy();
});
