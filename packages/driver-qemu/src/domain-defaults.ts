// What libvirt's QEMU driver fills into a definition: a MAC address for each
// interface, so that the guest sees the same one at every start.

import { randomBytes } from 'node:crypto';
import type { DeviceDef, DomainDef } from '@tsvirt/core/xml';

/** libvirt's locally administered prefix for QEMU guests. */
const MAC_PREFIX = '52:54:00';

export function fillDeviceDefaults<T extends DeviceDef>(dev: T): T {
  if (dev.kind === 'interface' && !dev.mac) dev.mac = `${MAC_PREFIX}:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  return dev;
}

export function fillDomainDefaults(def: DomainDef): DomainDef {
  for (const dev of def.devices) fillDeviceDefaults(dev);
  return def;
}
