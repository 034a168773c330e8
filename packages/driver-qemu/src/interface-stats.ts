// Traffic counters of a guest interface backed by a host tap device, from
// /proc/net/dev, seen from the guest's side as libvirt reports them (what the
// host's tap sends is what the guest receives).

import { promises as fs } from 'node:fs';
import { ErrorNumber, type DomainInterfaceStats } from '@tsvirt/core';
import type { DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import { qemuError } from './qemu-errors.js';

/** The interface a caller names: by its host device, its MAC or its alias. */
export function findInterface(def: DomainDef, name: string): InterfaceDef {
  const nic = def.devices.find((d): d is InterfaceDef => d.kind === 'interface' && (d.targetDev === name || d.mac === name.toLowerCase() || d.alias === name));
  if (!nic) throw qemuError(ErrorNumber.INVALID_ARG, `invalid path, '${name}' is not a known interface`);
  return nic;
}

export async function tapInterfaceStats(nic: InterfaceDef): Promise<DomainInterfaceStats> {
  if (!nic.targetDev) {
    throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `interface statistics need a host device; '${nic.type}' interfaces have none`);
  }
  const table = await fs.readFile('/proc/net/dev', 'utf8');
  const row = table.split('\n').find((l) => l.trim().startsWith(`${nic.targetDev}:`));
  if (!row) throw qemuError(ErrorNumber.INTERNAL_ERROR, `Interface '${nic.targetDev}' not found`);
  // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes packets errs drop ...
  const n = row.slice(row.indexOf(':') + 1).trim().split(/\s+/).map(Number);
  return {
    rxBytes: n[8], rxPackets: n[9], rxErrs: n[10], rxDrop: n[11],
    txBytes: n[0], txPackets: n[1], txErrs: n[2], txDrop: n[3],
  };
}
