// domifaddr: the addresses of a running guest's interfaces, from the DHCP leases of the
// driver's networks or from the host's ARP table, as libvirt's QEMU driver finds them.

import { promises as fs } from 'node:fs';
import { DomainInterfaceAddressesSource as Source, ErrorNumber, type DomainInterface } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { InterfaceDef } from '@tsvirt/core/xml';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, notRunning, qemuError } from './qemu-errors.js';

const nicsOf = (s: QemuDriverState, ref: DomainRef) => s.dom(ref).def.devices.filter((d): d is InterfaceDef => d.kind === 'interface');

export async function interfaceAddresses(s: QemuDriverState, ref: DomainRef, source: number, flags: number): Promise<DomainInterface[]> {
  checkFlags(flags, 0, 'qemuDomainInterfaceAddresses');
  if (!s.dom(ref).active) throw notRunning();
  switch (source) {
    case Source.LEASE: return leaseAddresses(s, ref);
    case Source.ARP: return arpAddresses(s, ref);
    case Source.AGENT: throw qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, 'QEMU guest agent is not configured');
    default: throw qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, `Unknown IP address data source ${source}`);
  }
}

/** The leases of each <interface type='network'> on its network, by MAC; an interface without one is left out. */
async function leaseAddresses(s: QemuDriverState, ref: DomainRef): Promise<DomainInterface[]> {
  const out: DomainInterface[] = [];
  for (const nic of nicsOf(s, ref)) {
    const network = nic.type === 'network' ? nic.source?.network : undefined;
    if (!network || !nic.mac || !s.network) continue;
    const net = s.network.networks.byName(network);
    const leases = await s.network.networks.leases(net.ref(), nic.mac, 0);
    if (!leases.length) continue;
    out.push({ name: nic.targetDev ?? '', hwaddr: nic.mac, addrs: leases.map((l) => ({ type: l.type, addr: l.ipaddr, prefix: l.prefix })) });
  }
  return out;
}

/** The host's ARP table (/proc/net/arp): IPv4 neighbours whose MAC is an interface's, with no prefix known. */
async function arpAddresses(s: QemuDriverState, ref: DomainRef): Promise<DomainInterface[]> {
  const table = (await fs.readFile('/proc/net/arp', 'utf8').catch(() => '')).split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 6 && f[2] !== '0x0');
  const out: DomainInterface[] = [];
  for (const nic of nicsOf(s, ref)) {
    const addrs = table.filter((f) => f[3]!.toLowerCase() === nic.mac).map((f) => ({ type: 0, addr: f[0]!, prefix: 0 }));
    if (nic.mac && addrs.length) out.push({ name: nic.targetDev ?? '', hwaddr: nic.mac, addrs });
  }
  return out;
}
