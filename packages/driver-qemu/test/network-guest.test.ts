// A real Linux guest (TCG) on a NAT network of the network driver, in a network
// namespace this test makes: the driver makes the guest's taps on the network's bridge
// (and on a host bridge, and one of its own for type='ethernet'), the guest asks
// dnsmasq for a lease with udhcpc, the lease shows in getDHCPLeases, and stopping the
// guest removes its taps.

import { spawnSync } from 'node:child_process';
import { GUEST_HOSTNAME, GUEST_LEASE_LINE, GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { enterPrivateNetns, guestNetworkUnavailable } from './fixtures/private-netns.js';

const why = guestNetworkUnavailable();
// built (downloaded on first use) outside the namespace, which has no way out; found in its cache inside
const guest = why ? { skip: why } : await tinyGuest();
if (!('skip' in guest)) enterPrivateNetns(import.meta.url);

const { default: t } = await import('tap');
const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
const { nativeStatus } = await import('@tsvirt/hv-native');
const path = await import('node:path');
const { linkUp, masterOf, netnsGuestConnection, until } = await import('./fixtures/netns-guest-connection.js');

t.test('a guest on a NAT network gets a DHCP lease', { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
  if ('skip' in guest) return;
  const { conn, dir } = await netnsGuestConnection(t, 'tsvirt-net-guest-');

  const net = await conn.createNetworkXML(`<network><name>nat1</name><forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'><dhcp><range start='192.168.150.100' end='192.168.150.200'/></dhcp></ip></network>`);
  spawnSync('ip', ['link', 'add', 'hostbr0', 'type', 'bridge']);
  const serialLog = path.join(dir, 'serial.log');
  const mac = '52:54:00:12:34:56';
  const dom = await conn.defineDomainXML(tinyGuestDomainXml(guest, 'tiny', serialLog, `
    <interface type='network'><mac address='${mac}'/><source network='nat1'/><model type='virtio'/></interface>
    <interface type='bridge'><source bridge='hostbr0'/><model type='rtl8139'/></interface>
    <interface type='ethernet'><model type='rtl8139'/></interface>`));
  const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');

  await dom.create();
  t.teardown(() => { if (t.passing()) return; t.comment(`serial console:\n${serial().slice(-3000)}`); });
  const live = await dom.getXMLDesc();
  t.match(live, /<interface type='network'>[\s\S]*?<source network='nat1' bridge='virbr0'\/>[\s\S]*?<target dev='vnet0'\/>/, 'the live XML names the bridge and the tap') || t.comment(live);
  t.equal(masterOf('vnet0'), 'virbr0', "the network's tap is on its bridge");
  t.equal(masterOf('vnet1'), 'hostbr0', "the bridge interface's tap is on the host bridge");
  t.ok(linkUp('vnet2') && masterOf('vnet2') === undefined, "the ethernet interface's tap is on no bridge");
  t.match(spawnSync('ip', ['-o', 'link', 'show', 'vnet0'], { encoding: 'utf8' }).stdout, 'link/ether fe:54:00:12:34:56', "the host side's MAC starts with fe");
  t.notMatch(await dom.getXMLDesc(2 /* INACTIVE */), 'vnet0', 'the persistent definition keeps no tap');

  const started = performance.now();
  await until(`${GUEST_READY_LINE}`, () => serial().includes(GUEST_READY_LINE), 120_000);
  await until(`${GUEST_LEASE_LINE} on the serial console`, () => serial().includes(GUEST_LEASE_LINE), 120_000);
  const leased = new RegExp(`${GUEST_LEASE_LINE} (\\S+)`).exec(serial())![1]!;
  t.comment(`lease bound ${(performance.now() - started).toFixed(0)} ms after start returned`);
  t.match(leased, /^192\.168\.150\.(1\d\d|200)$/, 'an address of the DHCP range');
  await until('the lease in the lease file', async () => (await net.getDHCPLeases()).length > 0, 10_000);
  const [lease] = await net.getDHCPLeases();
  t.match(lease, { iface: 'virbr0', type: 0, mac, ipaddr: leased, prefix: 24, hostname: GUEST_HOSTNAME });
  t.ok(lease!.expirytime > Date.now() / 1000, 'a lease that has not expired');
  t.same(await net.getDHCPLeases(mac), [lease], 'by MAC');
  t.same(await net.getDHCPLeases('52:54:00:00:00:01'), [], 'another MAC has none');
  // domifaddr: the lease of the network's interface (the others have no lease), and the tap's counters in domstats
  t.same(await dom.interfaceAddresses(0 /* LEASE */), [{ name: 'vnet0', hwaddr: mac, addrs: [{ type: 0, addr: leased, prefix: 24 }] }], 'domifaddr from the lease');
  const arp = await dom.interfaceAddresses(2 /* ARP */);
  t.ok(arp.every((i) => i.name === 'vnet0' && i.addrs.every((a) => a.addr === leased)), `domifaddr --source arp: ${JSON.stringify(arp)}`);
  await t.rejects(dom.interfaceAddresses(1 /* AGENT */), { message: /QEMU guest agent is not configured/ });
  const [stats] = await conn.getAllDomainStats(16 /* INTERFACE */);
  t.match(stats!.params, { 'net.count': 3, 'net.0.name': 'vnet0', 'net.1.name': 'vnet1', 'net.2.name': 'vnet2' });
  t.ok((stats!.params['net.0.tx.bytes'] as number) > 0 && (stats!.params['net.0.rx.bytes'] as number) > 0, 'the DHCP exchange is counted on the guest\'s side of vnet0');

  const qemuLog = () => readFileSync(path.join(dir, 'run', 'tsvirt', 'qemu', 'log', 'tiny.log'), 'utf8');
  const nativeTaps = nativeStatus().loaded;
  if (nativeTaps) t.match(qemuLog(), /-netdev tap,id=hostnet0,fd=4 .*-netdev tap,id=hostnet1,fd=5 .*-netdev tap,id=hostnet2,fd=6 /, 'QEMU is handed the taps by descriptor');

  await dom.destroy();
  t.notOk(linkUp('vnet0') || linkUp('vnet1') || linkUp('vnet2'), "the guest's taps are gone");

  // without hv-native's addon: persistent taps that QEMU attaches to by name, removed by the driver
  process.env.TSVIRT_HV_NATIVE = 'off';
  t.teardown(() => { delete process.env.TSVIRT_HV_NATIVE; });
  writeFileSync(serialLog, '');
  await dom.create();
  t.match(qemuLog(), /-netdev tap,id=hostnet0,ifname=vnet0,script=no,downscript=no /, 'QEMU attaches to the tap by name');
  t.equal(masterOf('vnet0'), 'virbr0');
  await until(`${GUEST_LEASE_LINE} again`, () => serial().includes(GUEST_LEASE_LINE), 180_000);
  t.equal(new RegExp(`${GUEST_LEASE_LINE} (\\S+)`).exec(serial())![1], leased, 'the same address for the same MAC');
  await dom.destroy();
  t.notOk(linkUp('vnet0') || linkUp('vnet1') || linkUp('vnet2'), 'the persistent taps are removed');
  t.ok(linkUp('hostbr0') && linkUp('virbr0'), 'the bridges stay');
  await net.destroy();
  t.notOk(linkUp('virbr0'));
});
