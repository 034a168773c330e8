// Statistics and status: what a domain's getInfo, getState and block and interface
// statistics answer.

import type { DomainBlockStats, DomainInfo, DomainInterfaceStats, DomainStateInfo } from '@tsvirt/core';
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
