import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import t from 'tap';

import { formatCpuList, getAffinity, parseCpuList, setAffinity } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';
import { Qemu, qemuMissing } from './fixtures/qemu.js';

const noAddon = nativeMissing();

/** Cpus_allowed_list as the kernel shows it, read here independently of the code under test. */
function procAllowed(pid: number, tid: number): string {
  const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  return /^Cpus_allowed_list:\s*(.*)$/m.exec(status)![1]!;
}

t.test('pinning a QEMU vCPU thread is read back from /proc', { skip: noAddon || qemuMissing() }, async (t) => {
  // -S: the vCPU thread exists but the guest never runs.
  const qemu = await Qemu.start(['-machine', 'pc', '-accel', 'tcg', '-m', '16', '-S']);
  t.teardown(() => qemu.stop());
  const vcpus = (await qemu.command('query-cpus-fast')).return as { 'thread-id': number }[];
  const tid = vcpus[0]!['thread-id'];
  t.not(tid, qemu.pid, 'a vCPU thread, not the main thread');

  const all = getAffinity(tid);
  t.equal(procAllowed(qemu.pid, tid), formatCpuList(all), 'getAffinity agrees with /proc before pinning');
  const target = all[all.length - 1]!;
  setAffinity(tid, [target]);
  t.equal(procAllowed(qemu.pid, tid), String(target), `pinned to CPU ${target}`);
  t.same(getAffinity(tid), [target], 'native read-back');
  t.same(await withNativeOff(() => getAffinity(tid)), [target], '/proc fallback read-back');
  t.equal(procAllowed(qemu.pid, qemu.pid), formatCpuList(all), 'the main thread is untouched');

  setAffinity(tid, all);
  t.equal(procAllowed(qemu.pid, tid), formatCpuList(all), 'unpinned');
});

t.test('pinning another process', { skip: noAddon }, async (t) => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill());
  await new Promise((resolve) => child.once('spawn', resolve));
  const pid = child.pid!;
  const all = getAffinity(pid);
  setAffinity(pid, [all[0]!]);
  t.equal(procAllowed(pid, pid), String(all[0]));
  t.same(await withNativeOff(() => getAffinity(pid)), [all[0]]);
});

t.test('bad input throws typed errors', async (t) => {
  const unknownTid = 2 ** 31 - 1; // above any pid_max
  for (const [label, run] of [
    ['native', (f: () => unknown) => f()],
    ['fallback', (f: () => unknown) => withNativeOff(f)],
  ] as const) {
    if (label === 'native' && noAddon) continue;
    await t.rejects(async () => run(() => getAffinity(unknownTid)), { name: 'HvNativeError', code: 'ESRCH' }, `${label}: unknown thread`);
    for (const bad of [0, -5, 1.5, NaN, '1' as unknown as number]) {
      await t.rejects(async () => run(() => getAffinity(bad)), { code: 'EINVAL' }, `${label}: tid ${String(bad)}`);
    }
  }

  t.throws(() => setAffinity(process.pid, []), { code: 'EINVAL', message: /empty/ }, 'empty CPU set');
  t.throws(() => setAffinity(process.pid, [-1]), { code: 'EINVAL' }, 'negative CPU');
  t.throws(() => setAffinity(process.pid, [0.5]), { code: 'EINVAL' }, 'fractional CPU');
  t.throws(() => setAffinity(process.pid, 3 as unknown as number[]), { code: 'EINVAL' }, 'not an array');
  t.throws(() => setAffinity(process.pid, [4000]), { code: 'EINVAL', message: /no CPU 4000 on this host/ }, 'absent CPU');
  t.throws(() => setAffinity(0, [0]), { code: 'EINVAL' }, 'tid 0');
  if (!noAddon) {
    t.throws(() => setAffinity(unknownTid, [0]), { code: 'ESRCH', syscall: 'sched_setaffinity' }, 'unknown thread');
    // A thread that existed: a reaped child's pid.
    const child = spawn('true');
    await new Promise((resolve) => child.once('exit', resolve));
    t.throws(() => setAffinity(child.pid!, [0]), { code: 'ESRCH' }, 'exited thread');
  }
});

t.test('without the addon: setting is UNAVAILABLE, reading uses /proc', async (t) => {
  await withNativeOff(() => {
    t.throws(() => setAffinity(process.pid, [0]), { code: 'UNAVAILABLE', message: /sched_setaffinity|native addon/ });
    t.equal(formatCpuList(getAffinity(process.pid)), procAllowed(process.pid, process.pid));
  });
});

t.test('CPU lists', async (t) => {
  t.same(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
  t.same(parseCpuList('5,1,1'), [1, 5]);
  t.same(parseCpuList(''), []);
  t.equal(formatCpuList([11, 0, 1, 2, 3, 8, 10, 2]), '0-3,8,10-11');
  t.equal(formatCpuList([]), '');
  for (const bad of ['a', '3-1', '1,,2', '-1', '1-', '99999']) {
    t.throws(() => parseCpuList(bad), { code: 'EINVAL' }, JSON.stringify(bad));
  }
});
