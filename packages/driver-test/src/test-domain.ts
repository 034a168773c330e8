import { ErrorDomain } from '@tsvirt/core';
import { DomainObject, SnapshotTree } from '@tsvirt/core/driver';

/** One domain of a test connection: core's domain record, with snapshots and vCPU pins. */
export class TestDomain extends DomainObject {
  /** the domain's snapshots, made on first need */
  private snapshotTree: SnapshotTree | null = null;
  /** host CPUs each pinned vCPU may run on; an unpinned vCPU may run anywhere */
  readonly vcpuPins = new Map<number, number[]>();

  get snapshots(): SnapshotTree {
    this.snapshotTree ??= new SnapshotTree(() => this.name, ErrorDomain.TEST);
    return this.snapshotTree;
  }

  get snapshotCount(): number {
    return this.snapshotTree?.size ?? 0;
  }

  override get hasSnapshots(): boolean {
    return this.snapshotCount > 0;
  }
}
