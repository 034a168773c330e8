// What /proc says about a process that is not our child: whether it still
// runs, whether it is the QEMU we think, and the CPU time it used.

import { promises as fs } from 'node:fs';

/** The fields of /proc/<pid>/stat (or a thread's) after the command name, or undefined when it is gone. */
async function statFields(pid: number, tid?: number): Promise<string[] | undefined> {
  const text = await fs.readFile(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // The command name, in parentheses, may itself contain spaces and parentheses.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export async function isProcessAlive(pid: number): Promise<boolean> {
  const fields = await statFields(pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X';
}

/** True when `pid` is alive and its command line names `needle` (its monitor socket), so a reused pid is not mistaken for the guest. */
export async function processMentions(pid: number, needle: string): Promise<boolean> {
  if (!(await isProcessAlive(pid))) return false;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').some((arg) => arg.includes(needle));
}

// utime and stime are fields 14 and 15 of stat, counted in clock ticks (100 per second on Linux).
const cpuTimeNs = (f: string[]) => (Number(f[11]) + Number(f[12])) * 10_000_000;

/** User plus system CPU time of a process, in nanoseconds (0 when it is gone). */
export async function processCpuTimeNs(pid: number): Promise<number> {
  const fields = await statFields(pid);
  return fields ? cpuTimeNs(fields) : 0;
}

/** A process's user and system CPU time, in nanoseconds, or undefined when it is gone. */
export async function processTimesNs(pid: number): Promise<{ user: number; system: number } | undefined> {
  const fields = await statFields(pid);
  return fields && { user: Number(fields[11]) * 10_000_000, system: Number(fields[12]) * 10_000_000 };
}

/**
 * A thread's CPU time and its waits for a host CPU, in nanoseconds: delay is the time it
 * was runnable but queued (schedstat's second field); wait is the scheduler's wait_sum,
 * kept only when the kernel's schedstats are on (0 otherwise), as libvirt reads them.
 */
export async function threadSchedDelays(pid: number, tid: number): Promise<{ cpuTime: number; wait: number; delay: number }> {
  const task = `/proc/${pid}/task/${tid}`;
  const [usage, schedstat, sched] = await Promise.all([
    threadCpuUsage(pid, tid),
    fs.readFile(`${task}/schedstat`, 'utf8').catch(() => ''),
    fs.readFile(`${task}/sched`, 'utf8').catch(() => ''),
  ]);
  const waitMs = /^(?:se\.statistics\.)?wait_sum\s*:\s*([\d.]+)/m.exec(sched);
  return { cpuTime: usage.cpuTimeNs, wait: waitMs ? Math.round(Number(waitMs[1]) * 1e6) : 0, delay: Number(schedstat.split(' ')[1] ?? 0) || 0 };
}

/** A thread's CPU time (ns) and the CPU it last ran on (stat field 39). */
export async function threadCpuUsage(pid: number, tid: number): Promise<{ cpuTimeNs: number; cpu: number }> {
  const fields = await statFields(pid, tid);
  return fields ? { cpuTimeNs: cpuTimeNs(fields), cpu: Number(fields[36]) } : { cpuTimeNs: 0, cpu: -1 };
}
