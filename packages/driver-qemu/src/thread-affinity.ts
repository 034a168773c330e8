// CPU affinity of QEMU's vCPU threads: through @tsvirt/hv-native (sched_setaffinity)
// when it is installed, else util-linux taskset, run directly (no shell).

import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { parseCpuList } from './cpu-list.js';

interface HvNativeAffinity {
  setAffinity(tid: number, cpus: readonly number[]): void;
}

// A variable specifier: hv-native is an optional peer, absent at compile time too.
const HV_NATIVE = '@tsvirt/hv-native';
let hvNative: Promise<HvNativeAffinity | undefined> | undefined;

function loadHvNative(): Promise<HvNativeAffinity | undefined> {
  hvNative ??= (import(HV_NATIVE) as Promise<HvNativeAffinity>).catch(() => undefined);
  return hvNative;
}

export async function setThreadAffinity(tid: number, cpus: readonly number[]): Promise<void> {
  const hv = await loadHvNative();
  if (hv) {
    try {
      hv.setAffinity(tid, cpus);
      return;
    } catch (e) {
      // Without its native addon hv-native cannot set affinity: use taskset then.
      if ((e as { code?: string }).code !== 'UNAVAILABLE') throw e;
    }
  }
  await promisify(execFile)('taskset', ['-p', '-c', cpus.join(','), String(tid)]);
}

/** A thread's allowed CPUs, from /proc (Cpus_allowed_list). */
export async function threadAffinity(pid: number, tid: number): Promise<number[]> {
  const status = await fs.readFile(`/proc/${pid}/task/${tid}/status`, 'utf8').catch(() => '');
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  return (line && parseCpuList(line[1].trim())) ?? [];
}
