import { DomainModificationImpact as Impact, type DomainDef } from '@tsvirt/core';
import type { TestDomain } from './test-domain.js';
import { invalidOperation, notRunning } from './test-errors.js';

/** The definitions a change touches: the running one (live), the persistent one (config), or both. */
export interface AffectedDefs {
  live: DomainDef | null;
  config: DomainDef | null;
}

/**
 * Which definitions a LIVE/CONFIG/CURRENT request names, as libvirt decides it: CURRENT
 * is the live definition of a running domain and the persistent one otherwise. Asking
 * to change the persistent definition of a running domain splits it from the live one.
 */
export function affectedDefs(d: TestDomain, flags: number, forChange = true): AffectedDefs {
  let live = (flags & Impact.LIVE) !== 0;
  let config = (flags & Impact.CONFIG) !== 0;
  if (!live && !config) {
    live = d.active;
    config = !d.active;
  }
  if (live && !d.active) throw notRunning();
  if (config && !d.persistent) throw invalidOperation('transient domains do not have any persistent config');
  // a change to the running definition must not reach the persistent one: split them first
  if (forChange && live && d.persistent) d.editablePersistentDef();
  const persistent = forChange ? () => d.editablePersistentDef() : () => d.persistentDef;
  return { live: live ? d.def : null, config: config ? persistent() : null };
}
