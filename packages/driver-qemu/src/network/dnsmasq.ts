// A network's dnsmasq: DHCP and DNS on its bridge, as libvirt runs it. Its
// configuration, pid file and lease file live in the network driver's run folder.

import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, VirError, type NetworkDHCPLease } from '@tsvirt/core';
import type { NetworkDef, NetworkIpDef } from '@tsvirt/core/xml';

const DNSMASQ = process.env.TSVIRT_DNSMASQ || 'dnsmasq';

export interface DnsmasqFiles {
  conf: string;
  pid: string;
  leases: string;
  hosts: string;
}

export const dnsmasqFiles = (runDir: string, network: string): DnsmasqFiles => ({
  conf: path.join(runDir, `${network}.conf`),
  pid: path.join(runDir, `${network}.pid`),
  leases: path.join(runDir, `${network}.leases`),
  hosts: path.join(runDir, `${network}.hostsfile`),
});

/** Whether a network needs dnsmasq: any IPv4 address (DNS at least), as libvirt decides. */
export const needsDnsmasq = (ips: NetworkIpDef[]) => ips.some((ip) => ip.family === 'ipv4');

/** The user dnsmasq drops to after binding: its own when the host has one, else nobody. */
function dnsmasqUser(): string {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  return /^dnsmasq:/m.test(passwd) ? 'dnsmasq' : 'nobody';
}

/** dnsmasq's configuration for a network on `bridge`; only this bridge, never the host's other links. */
export function dnsmasqConf(def: NetworkDef, bridge: string, ips: NetworkIpDef[], files: DnsmasqFiles): string {
  const lines = ['strict-order', `user=${dnsmasqUser()}`, `pid-file=${files.pid}`, 'except-interface=lo', 'bind-dynamic', `interface=${bridge}`];
  const domain = def.extra.find((e) => e.name === 'domain')?.attrs.name;
  if (domain) lines.push(`domain=${domain}`, `local=/${domain}/`, 'expand-hosts');
  const dns = def.extra.find((e) => e.name === 'dns');
  if (dns?.attrs.enable === 'no') lines.push('port=0');
  let leases = 0;
  for (const ip of ips.filter((i) => i.family === 'ipv4')) {
    for (const r of ip.dhcpRanges) {
      lines.push(`dhcp-range=${r.start},${r.end},${prefixMask(ip.prefix)}`);
      leases += ipNumber(r.end) - ipNumber(r.start) + 1;
    }
  }
  if (leases > 0) {
    lines.push('dhcp-no-override', 'dhcp-authoritative', `dhcp-lease-max=${leases}`, `dhcp-hostsfile=${files.hosts}`, `dhcp-leasefile=${files.leases}`);
  }
  return `${lines.join('\n')}\n`;
}

/** dhcp-hostsfile lines: mac,ip,name for every <host>. */
export const dnsmasqHosts = (ips: NetworkIpDef[]) =>
  ips.flatMap((ip) => ip.hosts).map((h) => [h.mac, h.ip, h.name].filter(Boolean).join(',')).join('\n') + '\n';

const ipNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const prefixMask = (prefix: number) => {
  const n = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
};

/** Start dnsmasq (it forks and writes its pid file); the pid. */
export async function startDnsmasq(def: NetworkDef, bridge: string, ips: NetworkIpDef[], files: DnsmasqFiles): Promise<number> {
  await fs.writeFile(files.conf, dnsmasqConf(def, bridge, ips, files), { mode: 0o600 });
  await fs.writeFile(files.hosts, dnsmasqHosts(ips), { mode: 0o644 });
  await new Promise<void>((resolve, reject) => {
    execFile(DNSMASQ, [`--conf-file=${files.conf}`], (err, _out, stderr) => {
      if (err) reject(VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.NETWORK, `Child process (${DNSMASQ} --conf-file=${files.conf}) unexpected exit status ${err.code ?? ''}: ${stderr.trim()}`));
      else resolve();
    });
  });
  return Number((await fs.readFile(files.pid, 'utf8')).trim());
}

/** Stop the dnsmasq of a network: only a live dnsmasq whose command line names this network's configuration. */
export async function stopDnsmasq(files: DnsmasqFiles): Promise<void> {
  const pid = Number((await fs.readFile(files.pid, 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`--conf-file=${files.conf}`)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`) && !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
  await Promise.all([files.conf, files.pid, files.hosts].map((f) => fs.rm(f, { force: true })));
}

/** The live leases of dnsmasq's lease file ("expiry mac ip hostname clientid" per line), optionally of one MAC. */
export async function readLeases(files: DnsmasqFiles, bridge: string, prefixOf: (ip: string) => number, mac?: string): Promise<NetworkDHCPLease[]> {
  const text = await fs.readFile(files.leases, 'utf8').catch(() => '');
  const now = Date.now() / 1000;
  const leases: NetworkDHCPLease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, leaseMac, ip, hostname, clientid] = line.trim().split(/\s+/);
    if (!expiry || !leaseMac || !ip || (mac && leaseMac.toLowerCase() !== mac.toLowerCase())) continue;
    const expirytime = Number(expiry);
    if (expirytime !== 0 && expirytime < now) continue;
    leases.push({
      iface: bridge, expirytime, type: ip.includes(':') ? 1 : 0, mac: leaseMac, iaid: '', ipaddr: ip, prefix: prefixOf(ip),
      hostname: hostname && hostname !== '*' ? hostname : '', clientid: clientid && clientid !== '*' ? clientid : '',
    });
  }
  return leases;
}

