// The domain's job as domjobinfo and domjobabort see it: how far the save, managed save
// or snapshot under way has got, and stopping it.

import { DomainJobType, type DomainJobInfo } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { QemuDriverState } from './driver-state.js';
import { notRunning } from './qemu-errors.js';

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

/** virDomainAbortJob: a save or managed save is cancelled in QEMU, its file removed, the guest running again. */
export async function abortJob(s: QemuDriverState, ref: DomainRef): Promise<void> {
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  await d.job.abort();
}
