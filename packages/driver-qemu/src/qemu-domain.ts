// One domain of a QEMU connection: core's domain record, with its QEMU process,
// the flags of the job that is stopping or rebooting it, and its job lock.

import { DomainObject, type SnapshotTree } from '@tsvirt/core/driver';
import type { DomainDef } from '@tsvirt/core/xml';
import { DomainJob } from './domain-job.js';
import type { RunningQemu } from './running-qemu.js';

export class QemuDomain extends DomainObject {
  /** the QEMU of a running domain */
  running: RunningQemu | undefined;
  /** set by the call that is stopping QEMU, so that its exit is not taken for a crash */
  stopReason: number | undefined;
  /** QEMU reported SHUTDOWN: the guest powered itself off (or was told to) */
  guestShutdown = false;
  /** a shutdown was asked for (kept in the state file for connections that find QEMU gone) */
  shutdownRequested = false;
  /** a reboot was asked for: QEMU pauses at the guest's power-off, to be reset and resumed */
  rebootRequested = false;
  /** true while a start sets the domain up: QEMU's own STOP and RESUME then are not the user's */
  starting = false;
  /** resolves once the exit of the current QEMU has been handled (state, files, event) */
  afterExit: Promise<void> | undefined;
  readonly job: DomainJob;
  /** its snapshots, read from their records on first use */
  snapshots: SnapshotTree | undefined;

  constructor(def: DomainDef, persistent: boolean, job: DomainJob) {
    super(def, persistent);
    this.job = job;
  }

  override setShutoff(reason: number): void {
    super.setShutoff(reason);
    this.running = undefined;
    this.stopReason = undefined;
    this.guestShutdown = false;
    this.shutdownRequested = false;
    this.rebootRequested = false;
  }
}
