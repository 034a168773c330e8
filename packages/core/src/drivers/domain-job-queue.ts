// One state-changing job per domain at a time, within a process: a second waits its
// turn and gives up after a while with libvirt's "cannot acquire state change lock"
// (virDomainObjBeginJob's error), naming the call that holds it.

import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

export const DEFAULT_JOB_WAIT_MS = 30_000;

export class DomainJobQueue {
  #tail: Promise<void> = Promise.resolve();
  #owner: string | undefined;

  /** `errorDomain`: the driver's, for the timeout error. */
  constructor(private readonly errorDomain: number, private readonly waitMs = DEFAULT_JOB_WAIT_MS) {}

  /** The API call whose job runs now, if any. */
  get owner(): string | undefined {
    return this.#owner;
  }

  /** Run `job` once the jobs queued before it have finished; `api` names it to those that wait. */
  async run<T>(api: string, job: () => Promise<T>): Promise<T> {
    const before = this.#tail;
    let release!: () => void;
    this.#tail = before.then(() => new Promise<void>((resolve) => { release = resolve; }));
    let timer: NodeJS.Timeout | undefined;
    try {
      const waited = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.waitMs); });
      if ((await Promise.race([before.then(() => 'turn' as const), waited])) === 'timeout') {
        const holder = this.#owner;
        throw VirError.of(ErrorNumber.OPERATION_TIMEOUT, this.errorDomain, `cannot acquire state change lock${holder ? ` (held by monitor=${holder})` : ''}`);
      }
      clearTimeout(timer);
      this.#owner = api;
      try {
        return await job();
      } finally {
        this.#owner = undefined;
      }
    } finally {
      clearTimeout(timer);
      // a job that gave up passes its turn on as soon as it comes, keeping the queue in order
      void before.then(() => release());
    }
  }
}
