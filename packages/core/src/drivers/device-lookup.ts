import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainDef, InterfaceDef } from '../xml/domain/domain-def.js';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/**
 * A guest interface named by a client, as libvirt's shared domain layer finds it
 * (virDomainNetFind): by MAC address when the name is one, else by its host-side device.
 */
export function findInterface(def: DomainDef, device: string): InterfaceDef {
  const byMac = MAC.test(device);
  for (const dev of def.devices) {
    if (dev.kind !== 'interface') continue;
    if (byMac ? dev.mac === device.toLowerCase() : dev.targetDev === device) return dev;
  }
  throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN, `'${device}' is not a known interface`);
}
