// The pool master as libvirt's node: facts from its host record and metrics.

import { ErrorNumber, type NodeInfo } from '@tsvirt/core';
import { xenapiError } from './xenapi-errors.js';
import type { XenApiState } from './xenapi-state.js';
import { xenInt } from './xenapi-vm.js';

interface HostRecord {
  ref: string;
  hostname: string;
  cpuCount: number;
  cpuMhz: number;
  metrics: string;
  productVersion: string;
}

async function masterHost(s: XenApiState): Promise<HostRecord> {
  const pools = (await s.client.call('pool.get_all_records')) as Record<string, { master?: unknown }> | null;
  const master = pools && typeof pools === 'object' ? Object.values(pools)[0]?.master : undefined;
  if (typeof master !== 'string') throw xenapiError(ErrorNumber.RPC, 'pool.get_all_records: the XenAPI host named no pool master');
  const h = (await s.client.call('host.get_record', [master])) as Record<string, unknown> | null;
  if (!h || typeof h !== 'object') throw xenapiError(ErrorNumber.RPC, 'host.get_record: no record');
  const cpu = (h.cpu_info ?? {}) as Record<string, unknown>;
  const sw = (h.software_version ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 256) : '');
  return {
    ref: master, hostname: str(h.hostname), cpuCount: xenInt(cpu.cpu_count, 'cpu_count', 1),
    cpuMhz: Math.floor(Number(str(cpu.speed)) || 0), metrics: str(h.metrics), productVersion: str(sw.product_version),
  };
}

export async function nodeInfo(s: XenApiState): Promise<NodeInfo> {
  const h = await masterHost(s);
  const m = (await s.client.call('host_metrics.get_record', [h.metrics])) as Record<string, unknown> | null;
  const total = xenInt(m?.memory_total, 'memory_total', 0);
  return { model: 'x86_64', memory: Math.floor(total / 1024), cpus: h.cpuCount, mhz: h.cpuMhz, nodes: 1, sockets: 1, cores: h.cpuCount, threads: 1 };
}

/** The product's version (8.3.0: 8003000), as libvirt's number. */
export async function version(s: XenApiState): Promise<number> {
  const m = /^(\d{1,4})\.(\d{1,3})(?:\.(\d{1,3}))?/.exec((await masterHost(s)).productVersion);
  return m ? Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3] ?? 0) : 0;
}

export const hostName = async (s: XenApiState): Promise<string> => (await masterHost(s)).hostname;
