// The network driver behind qemu:/// on the real host tools (ip, nft, dnsmasq), in a
// network namespace this test makes for itself: NAT, routed, isolated and host-bridge
// networks, their bridges, firewall tables and dnsmasq, made and removed; libvirt's XML
// (compared with what libvirt 9.0's network driver writes for the same definitions)
// and errors. Guests on these networks are in network-guest.test.ts.

import { spawnSync } from 'node:child_process';
import { enterPrivateNetns, netnsUnavailable } from './fixtures/private-netns.js';

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;
const why = netnsUnavailable() ?? (!has('nft', '-v') && 'nft (nftables) is not installed') ?? (!has('dnsmasq') && 'dnsmasq is not installed') ?? undefined;
if (!why) enterPrivateNetns(import.meta.url);

const { default: t } = await import('tap');
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
const os = await import('node:os');
const path = await import('node:path');
const { ErrorDomain, ErrorNumber, open, VirError } = await import('@tsvirt/core');
const { registerDriver } = await import('@tsvirt/core/driver');
const { driver } = await import('../src/driver.js');

const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout;
const linkUp = (name: string) => spawnSync('ip', ['link', 'show', name]).status === 0;
const pidAlive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** dnsmasq outlives the namespace: whatever a failed test left running under `dir` is ended. */
function killDnsmasqOf(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmd = (() => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } })();
    if (cmd.startsWith('dnsmasq') && cmd.includes(dir)) process.kill(Number(pid), 'SIGTERM');
  }
}

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof VirError>> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof VirError)) throw new Error(`expected a VirError, got ${String(e)}`);
  return e;
}

t.test('virtual networks on a private namespace', { skip: why || false }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-net-'));
  t.teardown(() => { killDnsmasqOf(dir); rmSync(dir, { recursive: true, force: true }); });
  process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
  process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
  registerDriver(driver);
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());

  // NAT, with a DHCP range and a fixed host: defined as libvirt defines it
  const natXml = `<network>
  <name>nat1</name>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.2' end='192.168.150.254'/>
      <host mac='52:54:00:aa:bb:cc' name='g1' ip='192.168.150.10'/>
    </dhcp>
  </ip>
</network>
`;
  const nat = await conn.defineNetworkXML(natXml);
  const defined = await nat.getXMLDesc();
  // libvirt 9.0's network driver adds a uuid, the first free virbrN with STP on and no delay, and a MAC (uuid and MAC random)
  t.equal(defined.replace(/<uuid>[^<]+</, '<uuid>U<').replace(/address='52:54:00:[0-9a-f:]+'\/>\n  <ip/, "address='M'/>\n  <ip"),
    natXml.replace("  <forward mode='nat'/>\n", "  <uuid>U</uuid>\n  <forward mode='nat'/>\n  <bridge name='virbr0' stp='on' delay='0'/>\n  <mac address='M'/>\n"));
  const iso = await conn.defineNetworkXML("<network><name>iso1</name><ip address='10.9.0.1' prefix='24'/></network>");
  t.match(await iso.getXMLDesc(), "<bridge name='virbr1' stp='on' delay='0'/>", 'the next free bridge name');
  t.match(await iso.getXMLDesc(), "  <ip address='10.9.0.1' prefix='24'>\n  </ip>\n", "an empty <ip> on two lines, as libvirt's");

  await nat.create();
  t.ok(linkUp('virbr0'), 'the bridge is made');
  t.match(run('ip', '-4', 'addr', 'show', 'virbr0'), 'inet 192.168.150.1/24');
  const ruleset = run('nft', 'list', 'table', 'ip', 'tsvirt_virbr0');
  t.match(ruleset, /ip saddr 192\.168\.150\.0\/24 ip daddr != 192\.168\.150\.0\/24 masquerade/, 'masquerading of the subnet');
  t.match(ruleset, /oifname "virbr0" reject/);
  t.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '1', 'forwarding on, in this namespace');
  const pidFile = path.join(dir, 'run', 'tsvirt', 'network', 'nat1.pid');
  const dnsmasqPid = Number(readFileSync(pidFile, 'utf8'));
  t.ok(pidAlive(dnsmasqPid), 'dnsmasq runs');
  t.match(readFileSync(`/proc/${dnsmasqPid}/cmdline`, 'utf8'), 'nat1.conf');
  const conf = readFileSync(path.join(dir, 'run', 'tsvirt', 'network', 'nat1.conf'), 'utf8');
  t.match(conf, 'interface=virbr0\n');
  t.match(conf, 'dhcp-range=192.168.150.2,192.168.150.254,255.255.255.0\n');
  t.match(readFileSync(path.join(dir, 'run', 'tsvirt', 'network', 'nat1.hostsfile'), 'utf8'), '52:54:00:aa:bb:cc,192.168.150.10,g1');
  t.match(await nat.getXMLDesc(), "  <forward mode='nat'>\n    <nat>\n      <port start='1024' end='65535'/>\n    </nat>\n  </forward>\n", 'the live XML shows the NAT port range');
  t.equal(await nat.getXMLDesc(1), defined, 'the inactive XML is the defined one');
  t.equal(await nat.getBridgeName(), 'virbr0');
  t.same(await nat.getDHCPLeases(), [], 'no leases yet');
  let e = await failure(nat.create());
  t.equal(e.code, ErrorNumber.OPERATION_INVALID);
  t.equal(e.domain, ErrorDomain.NETWORK);
  t.equal(e.message, 'Requested operation is not valid: network is already active');

  // isolated and routed: no masquerading; routed forwards the subnet
  await iso.create();
  const isoRules = run('nft', 'list', 'table', 'ip', 'tsvirt_virbr1');
  t.notMatch(isoRules, 'masquerade');
  t.match(isoRules, /iifname "virbr1" reject/);
  const routed = await conn.createNetworkXML("<network><name>r1</name><forward mode='route'/><bridge name='tsr0'/><ip address='10.10.0.1' prefix='16'/></network>");
  t.equal(await routed.isPersistent(), false);
  const routedRules = run('nft', 'list', 'table', 'ip', 'tsvirt_tsr0');
  t.match(routedRules, /iifname "tsr0" ip saddr 10\.10\.0\.0\/16 accept/);
  t.notMatch(routedRules, 'masquerade');

  // a network on a host bridge that exists already: nothing made, nothing removed
  e = await failure(conn.createNetworkXML("<network><name>hb</name><forward mode='bridge'/><bridge name='hostbr0'/></network>"));
  t.equal(e.message, "Cannot get interface MTU on 'hostbr0': No such device");
  spawnSync('ip', ['link', 'add', 'hostbr0', 'type', 'bridge']);
  const hb = await conn.createNetworkXML("<network><name>hb</name><forward mode='bridge'/><bridge name='hostbr0'/></network>");
  t.equal(await hb.getXMLDesc(), `<network>\n  <name>hb</name>\n  <uuid>${hb.uuid}</uuid>\n  <forward mode='bridge'/>\n  <bridge name='hostbr0'/>\n</network>\n`);
  await hb.destroy();
  t.ok(linkUp('hostbr0'), "the host's bridge stays");

  // hostile and wrong definitions
  e = await failure(conn.defineNetworkXML('<network><name>a/b</name></network>'));
  t.equal(e.code, ErrorNumber.XML_ERROR);
  t.equal(e.message, "XML error: name a/b cannot contain '/'");
  e = await failure(conn.defineNetworkXML("<network><name>x</name><bridge name='../../etc'/></network>"));
  t.equal(e.code, ErrorNumber.XML_ERROR);
  e = await failure(conn.defineNetworkXML("<network><name>x</name><ip address='10.1.1.1' netmask='255.0.255.0'/></network>"));
  t.equal(e.message, "XML error: Invalid netmask '255.0.255.0' for address '10.1.1.1' in network 'x'");
  e = await failure(conn.defineNetworkXML("<network><name>x</name><bridge name='virbr0'/></network>"));
  t.equal(e.message, "operation failed: bridge name 'virbr0' already in use.");

  // a second connection sees the same networks, active
  const other = await open('qemu:///session');
  t.equal(await (await other.lookupNetworkByName('nat1')).isActive(), true);
  await other.close();

  // stopping removes everything it made
  await nat.destroy();
  t.notOk(linkUp('virbr0'), 'the bridge is gone');
  t.notOk(pidAlive(dnsmasqPid), 'dnsmasq is gone');
  t.equal(spawnSync('nft', ['list', 'table', 'ip', 'tsvirt_virbr0']).status, 1, 'the firewall table is gone');
  t.equal(await nat.getXMLDesc(), defined, 'back to the defined XML');
  e = await failure(nat.destroy());
  t.equal(e.message, "Requested operation is not valid: network 'nat1' is not active");
  await routed.destroy();
  e = await failure(conn.lookupNetworkByName('r1'));
  t.equal(e.code, ErrorNumber.NO_NETWORK);
  t.equal(e.message, "Network not found: no network with matching name 'r1'");
  await iso.destroy();
  await iso.undefine();

  // autostart: the first connection after a boot (a fresh run folder) starts the network
  await nat.setAutostart(true);
  rmSync(path.join(dir, 'run', 'tsvirt', 'network'), { recursive: true });
  const afterBoot = await open('qemu:///session');
  const started = await afterBoot.lookupNetworkByName('nat1');
  t.equal(await started.isActive(), true, 'autostarted');
  t.ok(linkUp('virbr0'));
  await started.destroy();
  await started.undefine();
  t.same((await afterBoot.listAllNetworks()).map((n) => n.name), []);
  await afterBoot.close();
});
