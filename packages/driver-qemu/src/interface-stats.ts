// Traffic counters of a guest interface backed by a host tap device, from
// /proc/net/dev, seen from the guest's side as libvirt reports them (what the
// host's tap sends is what the guest receives).

import { promises as fs } from 'node:fs';
import { ErrorNumber, type DomainInterfaceStats } from '@tsvirt/core';
import { guestSideCounters } from '@tsvirt/core/driver';
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
  const counters = guestSideCounters(await fs.readFile('/proc/net/dev', 'utf8'), nic.targetDev);
  if (!counters) throw qemuError(ErrorNumber.INTERNAL_ERROR, `Interface '${nic.targetDev}' not found`);
  return counters;
}
