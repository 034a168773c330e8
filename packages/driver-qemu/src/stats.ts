// Statistics and status: what a domain's getInfo, getState and block and interface
// statistics answer.

import { promises as fs } from 'node:fs';
import {
  DomainJobType, DomainMemoryStatTags as Mem, type DomainBlockStats, type DomainInfo, type DomainInterfaceStats, type DomainJobInfo,
  type DomainStateInfo, type MemoryStat,
} from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { QemuDriverState } from './driver-state.js';
import { findInterface, tapInterfaceStats } from './interface-stats.js';
import { processCpuTimeNs } from './process-probe.js';
import { checkFlags, notRunning, viaMonitor } from './qemu-errors.js';
import { blockStats } from './qemu-live-queries.js';

/** CPU time is the QEMU process's, read from /proc when asked. */
export async function domainInfo(s: QemuDriverState, ref: DomainRef): Promise<DomainInfo> {
  const d = s.dom(ref);
  const cpuTime = d.running ? await processCpuTimeNs(d.running.pid) : 0;
  return {
    state: d.state as DomainInfo['state'], maxMem: d.def.memory, memory: d.def.currentMemory,
    nrVirtCpu: d.def.vcpu.current ?? d.def.vcpu.max, cpuTime,
  };
}

export function domainState(s: QemuDriverState, ref: DomainRef, flags: number): DomainStateInfo {
  checkFlags(flags, 0, 'qemuDomainGetState');
  const d = s.dom(ref);
  return { state: d.state as DomainStateInfo['state'], reason: d.reason };
}

export async function domainBlockStats(s: QemuDriverState, ref: DomainRef, disk: string): Promise<DomainBlockStats> {
  const d = s.dom(ref);
  return viaMonitor(blockStats(s.running(d), d.def, disk));
}

export async function domainInterfaceStats(s: QemuDriverState, ref: DomainRef, device: string): Promise<DomainInterfaceStats> {
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  return tapInterfaceStats(findInterface(d.def, device));
}

/** The balloon's size as the guest sees it (QEMU's), and QEMU's resident memory (its /proc status), in KiB. */
export async function domainMemoryStats(s: QemuDriverState, ref: DomainRef, flags: number): Promise<MemoryStat[]> {
  checkFlags(flags, 0, 'qemuDomainMemoryStats');
  const d = s.dom(ref);
  const running = s.running(d);
  const stats: MemoryStat[] = [];
  if (d.def.devices.some((x) => x.kind === 'other' && x.element.name === 'memballoon' && x.element.attrs.model !== 'none')) {
    const balloon = await viaMonitor(running.qmp.execute<{ actual: number }>('query-balloon'));
    stats.push({ tag: Mem.ACTUAL_BALLOON, val: Math.floor(balloon.actual / 1024) });
  }
  const status = await fs.readFile(`/proc/${running.pid}/status`, 'utf8').catch(() => '');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (rss) stats.push({ tag: Mem.RSS, val: Number(rss[1]) });
  return stats;
}

const NO_JOB: DomainJobInfo = {
  type: DomainJobType.NONE, timeElapsed: 0, timeRemaining: 0, dataTotal: 0, dataProcessed: 0, dataRemaining: 0,
  memTotal: 0, memProcessed: 0, memRemaining: 0, fileTotal: 0, fileProcessed: 0, fileRemaining: 0,
};

/** The job under way (save, managed save, snapshot, ...): how long it has run and how far QEMU has got. */
export function domainJobInfo(s: QemuDriverState, ref: DomainRef): DomainJobInfo {
  const job = s.dom(ref).job.active;
  if (!job) return NO_JOB;
  const p = job.progress ?? { current: 0, total: 0 };
  return {
    ...NO_JOB, type: DomainJobType.UNBOUNDED, timeElapsed: Date.now() - job.started,
    dataTotal: p.total, dataProcessed: p.current, dataRemaining: Math.max(0, p.total - p.current),
    memTotal: p.total, memProcessed: p.current, memRemaining: Math.max(0, p.total - p.current),
  };
}
