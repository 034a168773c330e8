// What a running QEMU reports about its vCPUs and disks, in libvirt's shapes,
// and the pinning of its vCPU threads.

import { ErrorNumber, VcpuState, type DomainBlockStats, type VcpuInfo } from '@tsvirt/core';
import type { DiskDef, DomainDef } from '@tsvirt/core/xml';
import { threadCpuUsage } from './process-probe.js';
import { qemuError } from './qemu-errors.js';
import type { QmpClient } from './qmp/qmp-client.js';
import type { RunningQemu } from './running-qemu.js';
import { setThreadAffinity, threadAffinity } from './thread-affinity.js';
import { vcpuPins } from './vcpu-pinning.js';
import { diskAlias } from './disk-args.js';

interface QmpCpu { 'cpu-index': number; 'thread-id': number }

async function vcpuThreads(running: RunningQemu): Promise<QmpCpu[]> {
  return (await running.qmp.execute<QmpCpu[]>('query-cpus-fast')).sort((a, b) => a['cpu-index'] - b['cpu-index']);
}

export async function queryVcpus(running: RunningQemu): Promise<VcpuInfo[]> {
  return Promise.all((await vcpuThreads(running)).map(async (c) => {
    const usage = await threadCpuUsage(running.pid, c['thread-id']);
    return {
      number: c['cpu-index'], state: VcpuState.RUNNING, cpuTime: usage.cpuTimeNs, cpu: usage.cpu,
      affinity: await threadAffinity(running.pid, c['thread-id']),
    };
  }));
}

export async function pinVcpuThread(running: RunningQemu, vcpu: number, cpus: readonly number[]): Promise<void> {
  const thread = (await vcpuThreads(running)).find((c) => c['cpu-index'] === vcpu);
  if (!thread) throw qemuError(ErrorNumber.INVALID_ARG, `vcpu ${vcpu} is out of range of live cpu count`);
  await setThreadAffinity(thread['thread-id'], cpus);
}

/** The definition's <vcpupin>s, applied to a freshly started QEMU's threads. */
export async function applyVcpuPins(running: RunningQemu, def: DomainDef): Promise<void> {
  for (const pin of vcpuPins(def)) await pinVcpuThread(running, pin.vcpu, pin.cpus);
}

interface QmpBlockStats {
  qdev?: string;
  stats: { rd_operations: number; rd_bytes: number; wr_operations: number; wr_bytes: number };
}

/** Statistics of a disk named by its target (vda) or its source path, as libvirt accepts either. */
export async function blockStats(running: RunningQemu, def: DomainDef, name: string): Promise<DomainBlockStats> {
  const disk = def.devices.find((d): d is DiskDef => d.kind === 'disk' && (d.target.dev === name || d.source?.file === name || d.source?.dev === name));
  if (!disk) throw qemuError(ErrorNumber.INVALID_ARG, `invalid path: ${name}`);
  const alias = disk.alias ?? diskAlias(disk);
  const all = await running.qmp.execute<QmpBlockStats[]>('query-blockstats');
  const entry = all.find((b) => b.qdev === alias || b.qdev?.includes(`/${alias}/`));
  if (!entry) throw qemuError(ErrorNumber.INTERNAL_ERROR, `cannot find statistics for device '${alias}'`);
  const s = entry.stats;
  // QEMU counts no errors per disk: libvirt reports -1, "not supported".
  return { rdReq: s.rd_operations, rdBytes: s.rd_bytes, wrReq: s.wr_operations, wrBytes: s.wr_bytes, errs: -1 };
}

interface QmpBlock { qdev?: string; inserted?: { 'node-name'?: string } }

/** The top (format) node of each disk QEMU has, by the disk's alias: what block jobs and snapshots name. */
export async function diskNodes(qmp: QmpClient): Promise<(alias: string) => string | undefined> {
  const blocks = await qmp.execute<QmpBlock[]>('query-block');
  return (alias) => blocks.find((b) => b.qdev === alias || b.qdev?.includes(`/${alias}/`))?.inserted?.['node-name'];
}
