// A network's firewall rules, in an nftables table of its own (named after its
// bridge), so that adding and removing them never touches anyone else's rules:
// nat masquerades the subnet's traffic out of the host, route forwards it as it is,
// isolated (no <forward>) lets the guests reach each other and the host only.

import { promises as fs } from 'node:fs';
import type { NetworkIpDef } from '@tsvirt/core/xml';
import { hostCommand, quietly } from './host-command.js';

const tableOf = (bridge: string) => `tsvirt_${bridge.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** The ruleset for a network on `bridge`: its IPv4 subnets, as nft's input. */
export function networkRules(mode: string, bridge: string, ips: NetworkIpDef[]): string {
  const table = tableOf(bridge);
  const nets = ips.filter((i) => i.family === 'ipv4').map((i) => `${i.address}/${i.prefix}`);
  const br = JSON.stringify(bridge);
  const forward: string[] = [`iifname ${br} oifname ${br} accept`];
  const nat: string[] = [];
  for (const net of nets) {
    if (mode === 'nat') {
      forward.push(`oifname ${br} ip daddr ${net} ct state related,established accept`, `iifname ${br} ip saddr ${net} accept`);
      // as libvirt: no masquerading of multicast and broadcast, nor of the subnet to itself
      nat.push(`ip saddr ${net} ip daddr 224.0.0.0/24 return`, `ip saddr ${net} ip daddr 255.255.255.255 return`,
        `ip saddr ${net} ip daddr != ${net} masquerade`);
    } else if (mode === 'route') {
      forward.push(`oifname ${br} ip daddr ${net} accept`, `iifname ${br} ip saddr ${net} accept`);
    }
  }
  forward.push(`iifname ${br} reject with icmp type port-unreachable`, `oifname ${br} reject with icmp type port-unreachable`);
  let rules = `table ip ${table} {\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n${forward.map((r) => `    ${r}\n`).join('')}  }\n`;
  if (nat.length) rules += `  chain postrouting {\n    type nat hook postrouting priority 100; policy accept;\n${nat.map((r) => `    ${r}\n`).join('')}  }\n`;
  return `${rules}}\n`;
}

export async function addNetworkRules(mode: string, bridge: string, ips: NetworkIpDef[]): Promise<void> {
  await removeNetworkRules(bridge);
  await hostCommand('nft', ['-f', '-'], `Failed to add firewall rules for bridge ${bridge}`, networkRules(mode, bridge, ips));
  // nat and route need the host to forward (in a network namespace, that namespace's setting)
  if (mode === 'nat' || mode === 'route') await fs.writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
}

export const removeNetworkRules = (bridge: string) => quietly('nft', ['delete', 'table', 'ip', tableOf(bridge)]);
