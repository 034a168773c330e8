import type { DomainRef } from '../gen/driver.gen.js';
import type { DomainStatsRecord, NodeCPUMap, VcpuInfo, VcpuPin } from '../gen/api.gen.js';
import { RemoteProcedure } from '../gen/remote-program.gen.js';
import { fromWire, toWire } from '../rpc/wire-values.js';
import type { WireShape } from '../rpc/wire-procedure.js';
import { domainShape, type RemoteCallLink } from './remote-calls.js';

// The calls of libvirt's program whose CPU bitmaps the client sizes, as libvirt's client
// does: maplen is the host's CPU count in bytes, asked of the daemon first, and one reply
// holds every vCPU's map end to end. The generated tables leave these out (their replies
// are not one value per member); the rows' XDR types are used as they are.

const BITMAP: WireShape = { k: 'bitmap' };
const PARAMS: WireShape = { k: 'params' };
/** VIR_DOMAIN_VCPU_MAXIMUM */
const VCPU_MAXIMUM = 4;

const cpusOf = (maps: Uint8Array, i: number, maplen: number): number[] =>
  fromWire(BITMAP, maps.subarray(i * maplen, (i + 1) * maplen)) as number[];

async function hostCpuMap(link: RemoteCallLink, flags: number): Promise<{ cpumap: Uint8Array; online: number; ret: number }> {
  return (await link.call(RemoteProcedure.NODE_GET_CPU_MAP, { need_map: 1, need_online: 1, flags })) as { cpumap: Uint8Array; online: number; ret: number };
}

/** maplen: one bit per host CPU, in whole bytes */
const mapLength = async (link: RemoteCallLink): Promise<number> => Math.ceil((await hostCpuMap(link, 0)).ret / 8);

export function cpuMapCalls(link: RemoteCallLink): Record<string, (...args: never[]) => Promise<unknown>> {
  const dom = (ref: DomainRef) => toWire(domainShape, ref);
  return {
    async connectGetCPUMap(flags: number): Promise<NodeCPUMap> {
      const { cpumap, ret } = await hostCpuMap(link, flags);
      return { cpus: ret, online: fromWire(BITMAP, cpumap) as number[] };
    },
    async domainGetVcpus(ref: DomainRef): Promise<VcpuInfo[]> {
      const maplen = await mapLength(link);
      const { nrVirtCpu } = (await link.call(RemoteProcedure.DOMAIN_GET_INFO, [ref])) as { nrVirtCpu: number };
      const { info, cpumaps } = (await link.call(RemoteProcedure.DOMAIN_GET_VCPUS, { dom: dom(ref), maxinfo: nrVirtCpu, maplen })) as {
        info: { number: number; state: number; cpu_time: number; cpu: number }[]; cpumaps: Uint8Array;
      };
      return info.map((v, i) => ({ number: v.number, state: v.state, cpuTime: Number(v.cpu_time), cpu: v.cpu, affinity: cpusOf(cpumaps, i, maplen) }) as VcpuInfo);
    },
    async domainGetVcpuPinInfo(ref: DomainRef, flags: number): Promise<VcpuPin[]> {
      const maplen = await mapLength(link);
      const ncpumaps = (await link.call(RemoteProcedure.DOMAIN_GET_VCPUS_FLAGS, [ref, flags | VCPU_MAXIMUM])) as number;
      const { cpumaps, num } = (await link.call(RemoteProcedure.DOMAIN_GET_VCPU_PIN_INFO, { dom: dom(ref), ncpumaps, maplen, flags })) as { cpumaps: Uint8Array; num: number };
      return Array.from({ length: num }, (_, vcpu) => ({ vcpu, cpus: cpusOf(cpumaps, vcpu, maplen) }));
    },
    async domainGetEmulatorPinInfo(ref: DomainRef, flags: number): Promise<number[]> {
      const maplen = await mapLength(link);
      const { cpumaps } = (await link.call(RemoteProcedure.DOMAIN_GET_EMULATOR_PIN_INFO, { dom: dom(ref), maplen, flags })) as { cpumaps: Uint8Array };
      return cpusOf(cpumaps, 0, maplen);
    },
    async connectGetAllDomainStats(stats: number, flags: number): Promise<DomainStatsRecord[]> {
      const { retStats } = (await link.call(RemoteProcedure.CONNECT_GET_ALL_DOMAIN_STATS, { doms: [], stats, flags })) as {
        retStats: { dom: unknown; params: unknown }[];
      };
      return retStats.map((r) => ({ domain: (fromWire(domainShape, r.dom) as DomainRef).uuid, params: fromWire(PARAMS, r.params) }) as DomainStatsRecord);
    },
  };
}
