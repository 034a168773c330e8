import type { DomainRef } from '../gen/driver.gen.js';
import type { NodeCPUMap, VcpuInfo, VcpuPin } from '../gen/api.gen.js';
import { RemoteProcedure } from '../gen/remote-program.gen.js';
import { WithMembers, type RemoteCallLink } from './remote-calls.js';

// The calls of libvirt's program whose CPU maps the client sizes, as libvirt's client
// does: each map is the host's CPU count in bytes, asked of the daemon first, and the
// reply has room for as many as the domain has vCPUs. The generated rows lay the maps out.

/** VIR_DOMAIN_VCPU_MAXIMUM */
const VCPU_MAXIMUM = 4;

/** maplen: one bit per host CPU, in whole bytes */
async function mapLength(link: RemoteCallLink): Promise<number> {
  const { cpus } = (await link.call(RemoteProcedure.NODE_GET_CPU_MAP, [0])) as NodeCPUMap;
  return Math.ceil(cpus / 8);
}

export function cpuMapCalls(link: RemoteCallLink): Record<string, (...args: never[]) => Promise<unknown>> {
  return {
    async domainGetVcpus(ref: DomainRef): Promise<VcpuInfo[]> {
      const maplen = await mapLength(link);
      const { nrVirtCpu } = (await link.call(RemoteProcedure.DOMAIN_GET_INFO, [ref])) as { nrVirtCpu: number };
      return (await link.call(RemoteProcedure.DOMAIN_GET_VCPUS, new WithMembers([ref], { maxinfo: nrVirtCpu, maplen }))) as VcpuInfo[];
    },
    async domainGetVcpuPinInfo(ref: DomainRef, flags: number): Promise<VcpuPin[]> {
      const maplen = await mapLength(link);
      const ncpumaps = (await link.call(RemoteProcedure.DOMAIN_GET_VCPUS_FLAGS, [ref, flags | VCPU_MAXIMUM])) as number;
      return (await link.call(RemoteProcedure.DOMAIN_GET_VCPU_PIN_INFO, new WithMembers([ref, flags], { ncpumaps, maplen }))) as VcpuPin[];
    },
    async domainGetEmulatorPinInfo(ref: DomainRef, flags: number): Promise<number[]> {
      const maplen = await mapLength(link);
      return (await link.call(RemoteProcedure.DOMAIN_GET_EMULATOR_PIN_INFO, new WithMembers([ref, flags], { maplen }))) as number[];
    },
  };
}
