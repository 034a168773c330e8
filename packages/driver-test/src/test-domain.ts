import {
  DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState,
  type DomainDef, type DomainRef,
} from '@tsvirt/core';
import { SnapshotTree } from './test-snapshots.js';

/**
 * One domain of a test connection. It is also the DomainRef that core hands to
 * applications, so `dom.id` follows the domain as it starts and stops.
 */
export class TestDomain implements DomainRef {
  id = -1;
  state: number = DomainState.SHUTOFF;
  reason: number = DomainShutoffReason.UNKNOWN;
  autostart = false;
  managedSave = false;
  /** the domain's snapshots, made on first need */
  private snapshotTree: SnapshotTree | null = null;
  /** host CPUs each pinned vCPU may run on; an unpinned vCPU may run anywhere */
  readonly vcpuPins = new Map<number, number[]>();
  /** the persistent definition to take effect at the next start, when it differs from the live one */
  newDef: DomainDef | null = null;

  constructor(public def: DomainDef, public persistent: boolean) {}

  get name(): string {
    return this.def.name;
  }

  get uuid(): string {
    return this.def.uuid;
  }

  get snapshots(): SnapshotTree {
    this.snapshotTree ??= new SnapshotTree(() => this.name);
    return this.snapshotTree;
  }

  get snapshotCount(): number {
    return this.snapshotTree?.size ?? 0;
  }

  get active(): boolean {
    return this.id !== -1;
  }

  /** The definition that survives a stop. */
  get persistentDef(): DomainDef {
    return this.newDef ?? this.def;
  }

  /** The persistent definition, split from the live one first when the domain runs, so that changing it leaves the live one alone. */
  editablePersistentDef(): DomainDef {
    if (!this.active) return this.def;
    this.newDef ??= structuredClone(this.def);
    return this.newDef;
  }

  setRunning(id: number, reason: number = DomainRunningReason.BOOTED): void {
    this.id = id;
    this.state = DomainState.RUNNING;
    this.reason = reason;
  }

  setPaused(reason: number = DomainPausedReason.USER): void {
    this.state = DomainState.PAUSED;
    this.reason = reason;
  }

  /** Stop: the live definition gives way to the persistent one. */
  setShutoff(reason: number): void {
    this.id = -1;
    this.state = DomainState.SHUTOFF;
    this.reason = reason;
    if (this.newDef) {
      this.def = this.newDef;
      this.newDef = null;
    }
  }
}
