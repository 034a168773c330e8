import type { Domain } from '@tsvirt/core';
import type { OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';

// --verbose on a long job (save, managedsave): while the call runs, the job's progress is
// redrawn on standard error as virsh draws it, "\rSave: [ 42 %]", from the domain's job
// information, and left at 100 % when the call returns.

const POLL_MS = 500;

const progressLine = (label: string, percent: number) => `\r${label}: [${String(Math.floor(percent)).padStart(3)} %]`;

/** Run `job`; with --verbose, show its progress under `label`. */
export async function withProgress<T>(ctx: VirshContext, dom: Domain, opts: OptionValues, label: string, job: Promise<T>): Promise<T> {
  if (!opts.has('verbose')) return job;
  let done = false;
  const watch = (async () => {
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (done) break;
      const info = await dom.getJobInfo().catch(() => null);
      if (info && info.dataTotal > 0 && !done) ctx.progress(progressLine(label, 100 - (info.dataRemaining * 100) / info.dataTotal));
    }
  })();
  try {
    const result = await job;
    ctx.progress(progressLine(label, 100));
    return result;
  } finally {
    done = true;
    await watch;
  }
}
