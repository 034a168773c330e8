// getAllDomainStats of QEMU domains: libvirt's groups with its field names (cpu.time,
// balloon.current, vcpu.0.state, net.0.rx.bytes, block.0.rd.reqs, ...), read from QMP,
// /proc and the host's tap devices. A running domain's groups share one monitor job.

import { promises as fs } from 'node:fs';
import { DomainStatsTypes as T, ErrorDomain, VcpuState, type DomainStatsRecord, type TypedParams } from '@tsvirt/core';
import { collectDomainStats, stateStatsGroup, type DomainStatsGroup } from '@tsvirt/core/driver';
import type { DiskDef, DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import { tapInterfaceStats } from './interface-stats.js';
import { processTimesNs, threadSchedDelays } from './process-probe.js';
import type { QemuDriverState } from './driver-state.js';
import type { QemuDomain } from './qemu-domain.js';
import { guestMemoryStats, hasBalloon, MEMORY_STAT_NAMES } from './stats.js';
import { probeImage } from './storage/image-probe.js';
import { diskAlias } from './disk-args.js';

const disksOf = (def: DomainDef) => def.devices.filter((d): d is DiskDef => d.kind === 'disk');
const nicsOf = (def: DomainDef) => def.devices.filter((d): d is InterfaceDef => d.kind === 'interface');

/** VIR_DOMAIN_STATS_CPU_TOTAL: QEMU's CPU time from /proc; no cache monitors, no KVM halt polling under TCG. */
async function cpuStats(d: QemuDomain): Promise<TypedParams> {
  if (!d.running) return {};
  const t = await processTimesNs(d.running.pid);
  if (!t) return {};
  const haltPoll = await haltPollTimes(d.running.pid);
  return {
    'cpu.time': t.user + t.system, 'cpu.user': t.user, 'cpu.system': t.system, 'cpu.cache.monitor.count': 0,
    'cpu.haltpoll.success.time': haltPoll.success, 'cpu.haltpoll.fail.time': haltPoll.fail,
  };
}

/** KVM's halt-polling counters of the VM (debugfs, root only); 0 where there are none, as libvirt 9.0 reports. */
async function haltPollTimes(pid: number): Promise<{ success: number; fail: number }> {
  const kvm = '/sys/kernel/debug/kvm';
  const vmDir = (await fs.readdir(kvm).catch(() => [] as string[])).find((n) => n.startsWith(`${pid}-`));
  const read = async (name: string) => (vmDir ? Number(await fs.readFile(`${kvm}/${vmDir}/${name}`, 'utf8').catch(() => '0')) || 0 : 0);
  return { success: await read('halt_poll_success_ns'), fail: await read('halt_poll_fail_ns') };
}

/** VIR_DOMAIN_STATS_BALLOON: the balloon's size and maximum, then what the guest and QEMU report of its memory. */
async function balloonStats(d: QemuDomain): Promise<TypedParams> {
  const def = d.def;
  const params: TypedParams = { 'balloon.current': hasBalloon(def) ? def.currentMemory : def.memory, 'balloon.maximum': def.memory };
  if (!d.running) return params;
  for (const stat of await guestMemoryStats(d.running, hasBalloon(def))) {
    const name = MEMORY_STAT_NAMES[stat.tag];
    if (name) params[`balloon.${name}`] = stat.val;
  }
  return params;
}

/** VIR_DOMAIN_STATS_VCPU: counts, then each online vCPU's thread: CPU time, and time spent waiting for a host CPU. */
async function vcpuStats(d: QemuDomain): Promise<TypedParams> {
  const def = d.def;
  const params: TypedParams = { 'vcpu.current': def.vcpu.current ?? def.vcpu.max, 'vcpu.maximum': def.vcpu.max };
  if (!d.running) return params;
  const cpus = await d.running.qmp.execute<{ 'cpu-index': number; 'thread-id': number }[]>('query-cpus-fast');
  for (const c of cpus.sort((a, b) => a['cpu-index'] - b['cpu-index'])) {
    const sched = await threadSchedDelays(d.running.pid, c['thread-id']);
    const n = c['cpu-index'];
    Object.assign(params, {
      [`vcpu.${n}.state`]: VcpuState.RUNNING, [`vcpu.${n}.time`]: sched.cpuTime, [`vcpu.${n}.wait`]: sched.wait, [`vcpu.${n}.delay`]: sched.delay,
    });
  }
  return params;
}

/** VIR_DOMAIN_STATS_INTERFACE: the count, then the counters of each NIC with a host tap device (a user-mode NIC has none). */
async function interfaceStats(d: QemuDomain): Promise<TypedParams> {
  const nics = nicsOf(d.def);
  const params: TypedParams = { 'net.count': nics.length };
  if (!d.active) return params;
  for (const [i, nic] of nics.entries()) {
    if (!nic.targetDev) continue;
    const s = await tapInterfaceStats(nic).catch(() => undefined);
    if (!s) continue;
    Object.assign(params, {
      [`net.${i}.name`]: nic.targetDev,
      [`net.${i}.rx.bytes`]: s.rxBytes, [`net.${i}.rx.pkts`]: s.rxPackets, [`net.${i}.rx.errs`]: s.rxErrs, [`net.${i}.rx.drop`]: s.rxDrop,
      [`net.${i}.tx.bytes`]: s.txBytes, [`net.${i}.tx.pkts`]: s.txPackets, [`net.${i}.tx.errs`]: s.txErrs, [`net.${i}.tx.drop`]: s.txDrop,
    });
  }
  return params;
}

interface QmpIoStats {
  rd_operations: number; rd_bytes: number; rd_total_time_ns: number; wr_operations: number; wr_bytes: number; wr_total_time_ns: number;
  flush_operations: number; flush_total_time_ns: number; wr_highest_offset: number;
}
interface QmpBlockStats { qdev?: string; stats: QmpIoStats; parent?: { stats: QmpIoStats } }
interface QmpNamedNode { 'node-name': string; file: string; drv: string; image: { 'virtual-size': number } }
interface QmpBlock { qdev?: string; inserted?: { file: string; image: { 'virtual-size': number } } }

const sourcePath = (disk: DiskDef) => disk.source?.file ?? disk.source?.dev;

/**
 * VIR_DOMAIN_STATS_BLOCK: the count, then each disk's target and source, its I/O counters,
 * and its sizes: capacity (what the guest sees), physical (the file or device), allocation
 * (the highest offset written). A shut-off domain's sizes come from the images themselves.
 */
async function blockStats(d: QemuDomain): Promise<TypedParams> {
  const disks = disksOf(d.def);
  const params: TypedParams = { 'block.count': disks.length };
  const live = d.running
    ? {
      stats: await d.running.qmp.execute<QmpBlockStats[]>('query-blockstats'),
      blocks: await d.running.qmp.execute<QmpBlock[]>('query-block'),
      nodes: await d.running.qmp.execute<QmpNamedNode[]>('query-named-block-nodes', { flat: true }),
    }
    : undefined;
  let backingIndex = 0;
  for (const [i, disk] of disks.entries()) {
    const p = `block.${i}.`;
    params[`${p}name`] = disk.target.dev;
    const source = sourcePath(disk);
    if (!source) continue;
    params[`${p}path`] = source;
    if (!live) {
      Object.assign(params, await imageSizes(disk, source, p));
      continue;
    }
    // libvirt numbers the images of a running domain's disks in order, from 1
    params[`${p}backingIndex`] = ++backingIndex;
    const alias = disk.alias ?? diskAlias(disk);
    const owns = (qdev?: string) => qdev === alias || qdev?.includes(`/${alias}/`);
    const s = live.stats.find((b) => owns(b.qdev));
    if (s) {
      const io = s.stats;
      Object.assign(params, {
        [`${p}rd.reqs`]: io.rd_operations, [`${p}rd.bytes`]: io.rd_bytes, [`${p}rd.times`]: io.rd_total_time_ns,
        [`${p}wr.reqs`]: io.wr_operations, [`${p}wr.bytes`]: io.wr_bytes, [`${p}wr.times`]: io.wr_total_time_ns,
        [`${p}fl.reqs`]: io.flush_operations, [`${p}fl.times`]: io.flush_total_time_ns,
        [`${p}allocation`]: (s.parent ?? s).stats.wr_highest_offset,
      });
    }
    const inserted = live.blocks.find((b) => owns(b.qdev))?.inserted;
    if (inserted) {
      params[`${p}capacity`] = inserted.image['virtual-size'];
      const file = live.nodes.find((n) => (n.drv === 'file' || n.drv === 'host_device') && n.file === source);
      params[`${p}physical`] = file ? file.image['virtual-size'] : inserted.image['virtual-size'];
    }
  }
  return params;
}

/** A shut-off disk's capacity and physical size, from its image file; nothing when it cannot be read. */
async function imageSizes(disk: DiskDef, source: string, p: string): Promise<TypedParams> {
  const st = await fs.stat(source).catch(() => undefined);
  if (!st?.isFile()) return {};
  const capacity = disk.driver?.type === 'qcow2' ? (await probeImage(source, st.size).catch(() => undefined))?.capacity : st.size;
  return capacity === undefined ? {} : { [`${p}capacity`]: capacity, [`${p}physical`]: st.size };
}

/** VIR_DOMAIN_STATS_DIRTYRATE: QEMU's last dirty-page-rate measurement (calc-dirty-rate starts one). */
async function dirtyRateStats(d: QemuDomain): Promise<TypedParams> {
  if (!d.running) return {};
  const r = await d.running.qmp.execute<{ status: string; 'start-time': number; 'calc-time': number; mode?: string; 'dirty-rate'?: number }>('query-dirty-rate');
  const params: TypedParams = {
    'dirtyrate.calc_status': ['unstarted', 'measuring', 'measured'].indexOf(r.status),
    'dirtyrate.calc_start_time': r['start-time'], 'dirtyrate.calc_period': r['calc-time'],
  };
  if (r.mode) params['dirtyrate.calc_mode'] = r.mode;
  if (r.status === 'measured' && r['dirty-rate'] !== undefined) params['dirtyrate.megabytes_per_second'] = r['dirty-rate'];
  return params;
}

/**
 * The groups in libvirt's order. perf, iothread, memory-bandwidth and vm statistics are
 * known groups with nothing to report here: no perf events, I/O threads or resctrl
 * monitors are configured, and QEMU's query-stats has no TCG provider.
 */
export const QEMU_STATS_GROUPS: readonly DomainStatsGroup<QemuDomain>[] = [
  stateStatsGroup,
  { type: T.CPU_TOTAL, collect: cpuStats },
  { type: T.BALLOON, collect: balloonStats },
  { type: T.VCPU, collect: vcpuStats },
  { type: T.INTERFACE, collect: interfaceStats },
  { type: T.BLOCK, collect: blockStats },
  { type: T.PERF, collect: () => ({}) },
  { type: T.IOTHREAD, collect: () => ({}) },
  { type: T.MEMORY, collect: () => ({}) },
  { type: T.DIRTYRATE, collect: dirtyRateStats },
  { type: T.VM, collect: () => ({}) },
];

/** virConnectGetAllDomainStats of the QEMU driver. */
export function allDomainStats(s: QemuDriverState, types: number, flags: number): Promise<DomainStatsRecord[]> {
  return collectDomainStats(s.domains, types, flags, QEMU_STATS_GROUPS, 'qemuConnectGetAllDomainStats', ErrorDomain.QEMU);
}
