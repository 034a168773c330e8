// Statistics and status: what a domain's getInfo, getState and block and interface
// statistics answer.

import { promises as fs } from 'node:fs';
import {
  DomainMemoryStatTags as Mem, type DomainMemoryStatTags, type DomainBlockStats, type DomainInfo, type DomainInterfaceStats,
  type DomainStateInfo, type MemoryStat,
} from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { DomainDef } from '@tsvirt/core/xml';
import type { QemuDriverState } from './driver-state.js';
import { findInterface, tapInterfaceStats } from './interface-stats.js';
import { processCpuTimeNs } from './process-probe.js';
import { checkFlags, notRunning, viaMonitor } from './qemu-errors.js';
import { blockStats } from './qemu-live-queries.js';
import type { RunningQemu } from './running-qemu.js';

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

/** dommemstat: the balloon's size and the guest's own figures (through the balloon), and QEMU's resident memory, in KiB. */
export async function domainMemoryStats(s: QemuDriverState, ref: DomainRef, flags: number): Promise<MemoryStat[]> {
  checkFlags(flags, 0, 'qemuDomainMemoryStats');
  const d = s.dom(ref);
  return viaMonitor(guestMemoryStats(s.running(d), hasBalloon(d.def)));
}

export const hasBalloon = (def: DomainDef) => def.devices.some((x) => x.kind === 'other' && x.element.name === 'memballoon' && x.element.attrs.model !== 'none');

/** QEMU's guest-stats names, the tag each is, and whether QEMU counts it in bytes (libvirt reports KiB). */
const GUEST_STATS: [string, DomainMemoryStatTags, boolean][] = [
  ['stat-swap-in', Mem.SWAP_IN, true], ['stat-swap-out', Mem.SWAP_OUT, true], ['stat-major-faults', Mem.MAJOR_FAULT, false],
  ['stat-minor-faults', Mem.MINOR_FAULT, false], ['stat-free-memory', Mem.UNUSED, true], ['stat-total-memory', Mem.AVAILABLE, true],
  ['stat-available-memory', Mem.USABLE, true], ['stat-disk-caches', Mem.DISK_CACHES, true],
  ['stat-htlb-pgalloc', Mem.HUGETLB_PGALLOC, false], ['stat-htlb-pgfail', Mem.HUGETLB_PGFAIL, false],
];

/** The names getAllDomainStats gives the memory figures under balloon. (the balloon's size is balloon.current there). */
export const MEMORY_STAT_NAMES: Partial<Record<number, string>> = {
  [Mem.SWAP_IN]: 'swap_in', [Mem.SWAP_OUT]: 'swap_out', [Mem.MAJOR_FAULT]: 'major_fault', [Mem.MINOR_FAULT]: 'minor_fault',
  [Mem.UNUSED]: 'unused', [Mem.AVAILABLE]: 'available', [Mem.RSS]: 'rss', [Mem.LAST_UPDATE]: 'last-update', [Mem.USABLE]: 'usable',
  [Mem.DISK_CACHES]: 'disk_caches', [Mem.HUGETLB_PGALLOC]: 'hugetlb_pgalloc', [Mem.HUGETLB_PGFAIL]: 'hugetlb_pgfail',
};

/**
 * The memory figures of a running guest in libvirt's order: the balloon's size, what the
 * guest's balloon driver last reported (QEMU says -1 for what it never had), then QEMU's RSS.
 */
export async function guestMemoryStats(running: RunningQemu, balloon: boolean): Promise<MemoryStat[]> {
  const stats: MemoryStat[] = [];
  if (balloon) {
    const { actual } = await running.qmp.execute<{ actual: number }>('query-balloon');
    stats.push({ tag: Mem.ACTUAL_BALLOON, val: Math.floor(actual / 1024) });
    const guest = await running.qmp.execute<{ stats: Record<string, number>; 'last-update': number }>('qom-get', { path: '/machine/peripheral/balloon0', property: 'guest-stats' })
      .catch(() => undefined);
    if (guest) {
      for (const [name, tag, bytes] of GUEST_STATS) {
        const v = guest.stats[name];
        // a figure the guest never sent is -1, which QEMU prints as an unsigned 64-bit number
        if (v !== undefined && Number.isSafeInteger(v) && v >= 0) stats.push({ tag, val: bytes ? Math.floor(v / 1024) : v });
      }
      stats.push({ tag: Mem.LAST_UPDATE, val: guest['last-update'] });
    }
  }
  const status = await fs.readFile(`/proc/${running.pid}/status`, 'utf8').catch(() => '');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (rss) stats.push({ tag: Mem.RSS, val: Number(rss[1]) });
  return stats;
}
