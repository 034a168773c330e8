// CPU affinity of QEMU's vCPU threads: through @tsvirt/hv-native (sched_setaffinity)
// when it is installed, else util-linux taskset, run directly (no shell).

import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { parseCpuList } from './cpu-list.js';
import { loadHvNative } from './hv-native-peer.js';


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
