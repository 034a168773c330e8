import { DomainModificationImpact as Impact } from '../gen/api.gen.js';
import { domainNotRunning, noPersistentConfig } from './conf-errors.js';

/** Which definitions of a domain a change touches: the running one (live), the persistent one (config), or both. */
export interface ModificationImpact {
  live: boolean;
  config: boolean;
}

/**
 * libvirt's virDomainObjUpdateModificationImpact: VIR_DOMAIN_AFFECT_LIVE and _CONFIG name
 * the definitions; neither (_CURRENT) means the live one of a running domain and the
 * persistent one otherwise. Asking for the live definition of a stopped domain, or the
 * persistent one of a transient domain, is refused with libvirt's errors.
 */
export function modificationImpact(d: { readonly active: boolean; readonly persistent: boolean }, flags: number): ModificationImpact {
  const named = flags & (Impact.LIVE | Impact.CONFIG);
  const live = named ? (flags & Impact.LIVE) !== 0 : d.active;
  const config = named ? (flags & Impact.CONFIG) !== 0 : !d.active;
  if (live && !d.active) throw domainNotRunning();
  if (config && !d.persistent) throw noPersistentConfig();
  return { live, config };
}
