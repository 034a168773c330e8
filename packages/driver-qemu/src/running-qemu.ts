// A running QEMU as the driver sees it: either started by this connection
// (QemuProcess, our child) or found again through its state file and monitor
// socket. Both give the monitor, the exit, and a quick stop.

import { setTimeout as sleep } from 'node:timers/promises';
import { QmpClient } from './qmp/qmp-client.js';
import { QemuProcess } from './qemu-process.js';
import { isProcessAlive } from './process-probe.js';

/** How long a stop waits for QEMU to exit after QMP quit before SIGKILL. */
const QUIT_GRACE_MS = 1000;
const REATTACH_TIMEOUT_MS = 2000;
const EXIT_POLL_MS = 5;

export class RunningQemu {
  /** Resolves once QEMU has exited (never when released first). */
  readonly exited: Promise<void>;
  #released = false;

  private constructor(
    readonly pid: number,
    readonly qmp: QmpClient,
    readonly monitorPath: string,
    exited: Promise<void>,
    private readonly child: QemuProcess | undefined,
  ) {
    this.exited = exited;
  }

  static spawned(proc: QemuProcess): RunningQemu {
    return new RunningQemu(proc.pid, proc.qmp, proc.socketPath, proc.exited.then(() => {}), proc);
  }

  /** Connect to the monitor of a QEMU started by another connection. */
  static async reattach(pid: number, monitorPath: string): Promise<RunningQemu> {
    const qmp = await QmpClient.connect({ socketPath: monitorPath, timeoutMs: REATTACH_TIMEOUT_MS, retryIntervalMs: 50 });
    let running!: RunningQemu;
    // Not our child: the monitor closing is the sign; the pid going away confirms it.
    const exited = new Promise<void>((resolve) => {
      qmp.once('close', () => {
        if (running.#released) return;
        void (async () => {
          while (await isProcessAlive(pid)) await sleep(EXIT_POLL_MS);
          resolve();
        })();
      });
    });
    running = new RunningQemu(pid, qmp, monitorPath, exited, undefined);
    return running;
  }

  /** Ask QEMU to quit (it flushes and closes its images), SIGKILL it if it has not exited soon after. */
  async stop(): Promise<void> {
    if (this.child) {
      await this.child.stop({ timeoutMs: QUIT_GRACE_MS });
      return;
    }
    this.qmp.execute('quit').catch(() => {});
    const grace = new AbortController();
    const exited = await Promise.race([
      this.exited.then(() => true),
      sleep(QUIT_GRACE_MS, false, { signal: grace.signal }).catch(() => false),
    ]);
    // A pending timer would keep a short-lived client (virsh) alive for the whole grace period.
    grace.abort();
    if (!exited) {
      try { process.kill(this.pid, 'SIGKILL'); } catch { /* gone already */ }
      await this.exited;
    }
  }

  /** Let go of the monitor (and of the child), leaving the guest running. */
  async release(): Promise<void> {
    this.#released = true;
    this.child?.release();
    await this.qmp.close();
  }
}
