import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import type { NetworkDef } from './network-def.js';

/** The forward mode of a network: 'none' (isolated) when it has no <forward>. */
export const forwardMode = (def: NetworkDef): string => def.forward?.attrs.mode ?? (def.forward ? 'nat' : 'none');

/** Modes whose network owns a bridge of its own, made by the network driver. */
export const OWNS_BRIDGE = new Set(['none', 'nat', 'route', 'open']);

/**
 * libvirt's post-parse rules for any driver: the name is one path component, and a
 * network with its own bridge has STP on and a delay of 0 unless it says otherwise.
 */
export function fillNetworkDefaults(def: NetworkDef): NetworkDef {
  if (def.name.includes('/')) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.NETWORK, `name ${def.name} cannot contain '/'`);
  if (def.bridge && OWNS_BRIDGE.has(forwardMode(def))) {
    def.bridge = { ...def.bridge, stp: def.bridge.stp ?? 'on', delay: def.bridge.delay ?? '0' };
  }
  return def;
}
