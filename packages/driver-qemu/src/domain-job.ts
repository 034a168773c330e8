// One state-changing job per domain at a time: a second waits its turn, and
// gives up after a timeout with libvirt's "cannot acquire state change lock".
// Within a process the jobs queue; across processes (two virsh commands) a lock
// file, <runDir>/<name>.lock holding the owner's pid, does the same.

import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorNumber } from '@tsvirt/core';
import { isProcessAlive } from './process-probe.js';
import { qemuError } from './qemu-errors.js';
import type { JobProgress } from './qemu-jobs.js';

export const DEFAULT_JOB_WAIT_MS = 30_000;
const LOCK_POLL_MS = 20;

const lockTimeout = (holder: string | undefined) =>
  qemuError(ErrorNumber.OPERATION_TIMEOUT, `cannot acquire state change lock${holder ? ` (held by ${holder})` : ''}`);

/** The job under way, as domjobinfo reports it. */
export interface ActiveJob {
  api: string;
  /** when it got the lock (ms since the epoch) */
  started: number;
  /** QEMU's progress of the work, when it reports one */
  progress?: JobProgress;
  /** how domjobabort stops it (QEMU's cancel), for a job that can be aborted */
  abort?: () => Promise<unknown>;
  /** domjobabort was asked */
  aborted?: boolean;
}

export class DomainJob {
  #tail: Promise<void> = Promise.resolve();
  #owner: string | undefined;
  #active: ActiveJob | undefined;

  /** Record QEMU's progress of the job under way (a QMP job's poll, a migration stream's). */
  readonly progress = (p: JobProgress): void => {
    if (this.#active) this.#active.progress = p;
  };

  /** Let domjobabort stop the job under way by `abort`. */
  abortableBy(abort: () => Promise<unknown>): void {
    if (this.#active) this.#active.abort = abort;
  }

  /** virDomainAbortJob: stop the job under way, in libvirt's words when there is none or it cannot be. */
  async abort(): Promise<void> {
    const job = this.#active;
    if (!job) throw qemuError(ErrorNumber.OPERATION_INVALID, 'no job is active on the domain');
    if (!job.abort) throw qemuError(ErrorNumber.OPERATION_INVALID, `cannot abort ${job.api}: QEMU does it in one step`);
    job.aborted = true;
    await job.abort();
  }

  /** The job under way, if any. */
  get active(): ActiveJob | undefined {
    return this.#active;
  }

  /** `lockFile`: the cross-process lock; none for a job queue of this process only. */
  constructor(private readonly waitMs = DEFAULT_JOB_WAIT_MS, private readonly lockFile?: string) {}

  /** The API call that holds the lock, if any. */
  get owner(): string | undefined {
    return this.#owner;
  }

  /** Run `job` once the jobs before it have finished; `api` names it in the timeout error. */
  async run<T>(api: string, job: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitMs;
    const before = this.#tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    this.#tail = before.then(() => mine);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.waitMs); });
      const turn = await Promise.race([before.then(() => 'turn' as const), timedOut]);
      clearTimeout(timer);
      if (turn === 'timeout') throw lockTimeout(this.#owner && `monitor=${this.#owner}`);
      // This process's slot is ours from here, while the lock file is still being waited for.
      this.#owner = api;
      this.#active = { api, started: Date.now() };
      let locked = false;
      try {
        if (this.lockFile) locked = await this.#lockFile(this.lockFile, deadline);
        return await job();
      } finally {
        this.#owner = undefined;
        this.#active = undefined;
        if (locked) await fs.rm(this.lockFile!, { force: true });
      }
    } finally {
      // Keep the queue in order: a slot that timed out passes as soon as its turn comes.
      release();
    }
  }

  /** Create the lock file; wait while a live process holds it, take it over from a dead one. */
  async #lockFile(file: string, deadline: number): Promise<true> {
    for (;;) {
      try {
        await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
      if (!(pid > 0) || !(await isProcessAlive(pid))) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) throw lockTimeout(`process ${pid}`);
      await sleep(LOCK_POLL_MS);
    }
  }
}
