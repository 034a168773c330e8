// vCPUs: the online count of a running domain (`xl vcpu-set`) and/or the
// persistent definition's count and maximum.

import { DomainVcpuFlags as VcpuFlags, ErrorNumber } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import { writeLiveDef } from './domain-state-file.js';
import type { XenDriverState } from './driver-state.js';
import { checkFlags, fromXl, xenError } from './xen-errors.js';

/** libxl's most vCPUs a domain may have (HVM_MAX_VCPUS). */
export const XEN_MAX_VCPUS = 128;

export async function setVcpus(s: XenDriverState, ref: DomainRef, n: number, flags: number): Promise<void> {
  checkFlags(flags, VcpuFlags.LIVE | VcpuFlags.CONFIG | VcpuFlags.MAXIMUM, 'libxlDomainSetVcpusFlags');
  if (!Number.isSafeInteger(n) || n < 1) throw xenError(ErrorNumber.INVALID_ARG, 'argument out of range: nvcpus');
  if (n > XEN_MAX_VCPUS) throw xenError(ErrorNumber.INVALID_ARG, `requested vcpus is greater than max allowable vcpus for the domain: ${n} > ${XEN_MAX_VCPUS}`);
  const d = await s.dom(ref);
  const { live, config } = d.affectedDefs(flags);
  const max = (flags & VcpuFlags.MAXIMUM) !== 0;
  if (max && live) throw xenError(ErrorNumber.INVALID_ARG, 'cannot set maximum vcpus on an active domain');
  const limit = (live ?? config!).vcpu.max;
  if (!max && n > limit) throw xenError(ErrorNumber.INVALID_ARG, `requested vcpus is greater than max allowable vcpus for the domain: ${n} > ${limit}`);
  if (live) {
    try {
      await s.xl(['vcpu-set', String(d.id), String(n)]);
    } catch (e) {
      throw fromXl(`set vcpus for domain '${d.name}'`, e);
    }
    live.vcpu.current = n < live.vcpu.max ? n : undefined;
    await writeLiveDef(s.dirs.runDir, live, d.id);
  }
  if (config) {
    if (max) {
      config.vcpu.max = n;
      if (config.vcpu.current !== undefined && config.vcpu.current > n) config.vcpu.current = undefined;
    } else config.vcpu.current = n < config.vcpu.max ? n : undefined;
    await s.configs.save(config);
  }
}

export async function getVcpusFlags(s: XenDriverState, ref: DomainRef, flags: number): Promise<number> {
  checkFlags(flags, VcpuFlags.LIVE | VcpuFlags.CONFIG | VcpuFlags.MAXIMUM, 'libxlDomainGetVcpusFlags');
  const d = await s.dom(ref);
  const { live, config } = d.affectedDefs(flags, false);
  const def = (live ?? config)!;
  return flags & VcpuFlags.MAXIMUM ? def.vcpu.max : (def.vcpu.current ?? def.vcpu.max);
}
