import { DomainVcpuFlags as Vcpu, ErrorDomain, ErrorNumber, VcpuState, VirError, type VcpuInfo, type VcpuPin } from '@tsvirt/core';
import type { TestDomain } from './test-domain.js';
import { checkFlags, invalidOperation } from './test-errors.js';

/** The most vCPUs a test domain may have (the connection's getMaxVcpus). */
export const TEST_MAX_VCPUS = 32;

const invalidArg = (info: string) => VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, info);

/** The vCPU count (current or, with MAXIMUM, maximum) of the live or persistent definition. */
export function getDomainVcpus(d: TestDomain, flags: number): number {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'testDomainGetVcpusFlags');
  const { live, config } = d.affectedDefs(flags & (Vcpu.LIVE | Vcpu.CONFIG));
  const def = (live ?? config)!;
  return flags & Vcpu.MAXIMUM ? def.vcpu.max : def.vcpu.current ?? def.vcpu.max;
}

/** Change the vCPU count, or with MAXIMUM the persistent maximum, with libvirt's checks and messages. */
export function setDomainVcpus(d: TestDomain, n: number, flags: number): void {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'testDomainSetVcpusFlags');
  if (n > TEST_MAX_VCPUS) throw invalidArg(`requested cpu amount exceeds maximum supported amount (${n} > ${TEST_MAX_VCPUS})`);
  const { live, config } = d.affectedDefs(flags & (Vcpu.LIVE | Vcpu.CONFIG));
  const maximum = (flags & Vcpu.MAXIMUM) !== 0;
  if (live && maximum) throw invalidOperation('cannot set max vcpu count of a live domain');
  for (const def of [live, config]) {
    if (!def) continue;
    if (maximum) {
      // the online count stays, unless the new maximum is below it
      const current = Math.min(def.vcpu.current ?? def.vcpu.max, n);
      def.vcpu.max = n;
      if (current === n) delete def.vcpu.current;
      else def.vcpu.current = current;
      continue;
    }
    if (n > def.vcpu.max) throw invalidArg(`requested cpu amount exceeds maximum (${n} > ${def.vcpu.max})`);
    if (n === def.vcpu.max) delete def.vcpu.current;
    else def.vcpu.current = n;
  }
}

/**
 * Where each vCPU may run: its pinning, or every host CPU. The map lives with the
 * domain object, as the test driver keeps pinning outside the definition it formats.
 */
export function vcpuPins(d: TestDomain, hostCpus: number): VcpuPin[] {
  const def = d.def;
  const n = def.vcpu.current ?? def.vcpu.max;
  const all = Array.from({ length: hostCpus }, (_, i) => i);
  return Array.from({ length: n }, (_, vcpu) => ({ vcpu, cpus: d.vcpuPins.get(vcpu) ?? all }));
}

/** The vCPUs of a running domain: each runs on the last host CPU it may use. */
export function domainVcpuInfo(d: TestDomain, hostCpus: number, cpuTimeNs: number): VcpuInfo[] {
  if (!d.active) throw invalidOperation('cannot list vcpus for an inactive domain');
  return vcpuPins(d, hostCpus).map(({ vcpu, cpus }) => ({
    number: vcpu, state: VcpuState.RUNNING, cpuTime: cpuTimeNs, cpu: cpus[cpus.length - 1] ?? -1, affinity: cpus,
  }));
}

/** Pin a vCPU of the running domain to host CPUs. */
export function pinDomainVcpu(d: TestDomain, vcpu: number, cpus: number[], flags: number, hostCpus: number): void {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG, 'testDomainPinVcpuFlags');
  d.affectedDefs(flags);
  const n = d.def.vcpu.current ?? d.def.vcpu.max;
  if (vcpu >= n) throw invalidArg(`requested vcpu '${vcpu}' is not present in the domain`);
  const valid = [...new Set(cpus)].filter((c) => c < hostCpus).sort((a, b) => a - b);
  d.vcpuPins.set(vcpu, valid);
}
