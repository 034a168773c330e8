import { DomainModificationImpact as Impact, ErrorDomain, ErrorNumber, VirError, type DomainDiskError, type TypedParams } from '@tsvirt/core';
import { findInterface } from '@tsvirt/core/driver';
import type { TestDomain } from './test-domain.js';
import { checkFlags, notRunning } from './test-errors.js';

// The tunables libvirt's test driver reports: fixed values, none of them settable.

/** libvirt's "unlimited" for memory tunables (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED, KiB). */
export const MEMORY_PARAM_UNLIMITED = Number.MAX_SAFE_INTEGER;

export function memoryParameters(d: TestDomain, flags: number): TypedParams {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetMemoryParameters');
  d.affectedDefs(flags, false);
  return { hard_limit: MEMORY_PARAM_UNLIMITED, soft_limit: MEMORY_PARAM_UNLIMITED, swap_hard_limit: MEMORY_PARAM_UNLIMITED };
}

/** numa_mode is virDomainNumatuneMemMode: 0 is strict. */
export function numaParameters(d: TestDomain, flags: number): TypedParams {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetNumaParameters');
  d.affectedDefs(flags, false);
  return { numa_mode: 0, numa_nodeset: '' };
}

export function interfaceParameters(d: TestDomain, device: string, flags: number): TypedParams {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetInterfaceParameters');
  const { live, config } = d.affectedDefs(flags, false);
  findInterface((live ?? config)!, device);
  return {
    'inbound.average': 0, 'inbound.peak': 0, 'inbound.burst': 0, 'inbound.floor': 0,
    'outbound.average': 0, 'outbound.peak': 0, 'outbound.burst': 0,
  };
}

/** Every disk of the running domain reports an error, taking turns between the kinds there are. */
export function diskErrors(d: TestDomain, flags: number): DomainDiskError[] {
  checkFlags(flags, 0, 'testDomainGetDiskErrors');
  if (!d.active) throw notRunning();
  const disks = d.def.devices.flatMap((dev) => (dev.kind === 'disk' ? [dev.target.dev] : []));
  return disks.map((disk, i) => ({ disk, error: ((i % 2) + 1) as DomainDiskError['error'] }));
}
