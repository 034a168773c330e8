import { readFileSync } from 'node:fs';

import { HvNativeError } from './hv-native-error.js';
import { callNative, loadNative, requireNative } from './native-loader.js';
import { INT32_MAX, checkArray, checkInteger } from './validate.js';

/** Same bound as native/affinity.cc; above any kernel's NR_CPUS. */
const MAX_CPUS = 65536;

/**
 * Pins thread `tid` (any process's, e.g. a QEMU vCPU thread from query-cpus-fast) to
 * `cpus`. Needs the addon (no JavaScript way to call sched_setaffinity): UNAVAILABLE
 * without it. CPUs the host cannot have are EINVAL, an unknown thread ESRCH.
 */
export function setAffinity(tid: number, cpus: readonly number[]): void {
  checkTid(tid);
  const list = checkArray(cpus, 'setAffinity: cpus', MAX_CPUS).map((cpu, i) =>
    checkInteger(cpu, `setAffinity: cpus[${i}]`, 0, MAX_CPUS - 1),
  );
  const possible = possibleCpus();
  const absent = possible ? list.filter((cpu) => !possible.has(cpu)) : [];
  if (possible && absent.length > 0) {
    // The kernel would silently drop them (or say EINVAL if none is left): say which.
    throw new HvNativeError(
      'EINVAL',
      `setAffinity: no CPU ${formatCpuList(absent)} on this host (possible: ${formatCpuList(possible)})`,
    );
  }
  const native = requireNative('Setting CPU affinity');
  callNative(`setAffinity(${tid})`, () => native.setAffinity(tid, list));
}

/**
 * The CPUs thread `tid` may run on, sorted. With the addon: sched_getaffinity; without:
 * Cpus_allowed_list of /proc/<tid>/task/<tid>/status (a tid names its own /proc
 * directory even when it is not a process's main thread, so no pid is needed).
 */
export function getAffinity(tid: number): number[] {
  checkTid(tid);
  const native = loadNative();
  if (native) return callNative(`getAffinity(${tid})`, () => native.getAffinity(tid));
  let status: string;
  try {
    status = readFileSync(`/proc/${tid}/task/${tid}/status`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HvNativeError(
      code === 'ENOENT' ? 'ESRCH' : (code ?? 'UNAVAILABLE'),
      `getAffinity(${tid}): ${code === 'ENOENT' ? 'no such thread' : (err as Error).message}`,
      { cause: err },
    );
  }
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(status);
  if (!line) {
    throw new HvNativeError('UNAVAILABLE', `getAffinity(${tid}): no Cpus_allowed_list in /proc status`);
  }
  return parseCpuList(line[1]!);
}

/** Parses the kernel's CPU list format ("0-3,8,10-11"); EINVAL when malformed. */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  const trimmed = String(text).trim();
  if (trimmed === '') return [];
  for (const part of trimmed.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const first = range ? Number(range[1]) : NaN;
    const last = range?.[2] !== undefined ? Number(range[2]) : first;
    if (!range || last < first || last >= MAX_CPUS) {
      throw new HvNativeError('EINVAL', `not a CPU list: ${JSON.stringify(text)}`);
    }
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Formats CPUs as the kernel does ("0-3,8"). */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function checkTid(tid: unknown): void {
  checkInteger(tid, 'thread id', 1, INT32_MAX);
}

let possibleCache: Set<number> | null | undefined;

/** CPUs this kernel may ever bring online; fixed at boot, so read once. */
function possibleCpus(): Set<number> | null {
  if (possibleCache === undefined) {
    try {
      possibleCache = new Set(parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8')));
    } catch {
      possibleCache = null; // no sysfs: let the kernel judge
    }
  }
  return possibleCache;
}
