// QEMU's background jobs (snapshot-save, snapshot-load, snapshot-delete): started
// with an id of ours, watched through query-jobs until they conclude, then dismissed.
// Their progress is what domjobinfo reports while they run.

import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorNumber } from '@tsvirt/core';
import { qemuError } from './qemu-errors.js';
import type { QmpClient } from './qmp/qmp-client.js';

const POLL_MS = 20;
let counter = 0;

export interface JobProgress {
  /** how far along, in the job's own units (bytes), and of how many */
  current: number;
  total: number;
}

interface QmpJob {
  id: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
  error?: string;
}

/** Run `command` as a job and wait for its end; its error is QEMU's words. `progress` hears each poll. */
export async function runQemuJob(qmp: QmpClient, command: string, args: Record<string, unknown>, progress?: (p: JobProgress) => void): Promise<void> {
  const id = `${command}-${process.pid}-${++counter}`;
  await qmp.execute(command, { 'job-id': id, ...args });
  for (;;) {
    const job = (await qmp.execute<QmpJob[]>('query-jobs')).find((j) => j.id === id);
    if (!job) throw qemuError(ErrorNumber.INTERNAL_ERROR, `job '${id}' vanished`);
    progress?.({ current: job['current-progress'], total: job['total-progress'] });
    if (job.status === 'concluded') {
      await qmp.execute('job-dismiss', { id });
      if (job.error) throw qemuError(ErrorNumber.OPERATION_FAILED, job.error);
      return;
    }
    await sleep(POLL_MS);
  }
}
