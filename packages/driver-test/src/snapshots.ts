// Snapshots of the mock hypervisor's domains (the tree is core's): create, look up, list,
// delete and revert. Each keeps the domain's definition and state when it was taken;
// reverting brings both back. References handed out are values.

import {
  DomainEventResumedDetailType as Resumed, DomainEventStoppedDetailType as Stopped, DomainEventSuspendedDetailType as Suspended,
  DomainEventType as Ev, DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainSnapshotCreateFlags as SnapCreate,
  DomainSnapshotDeleteFlags as SnapDelete, DomainSnapshotRevertFlags as Revert, DomainSnapshotXMLFlags, DomainState, ErrorDomain,
  ErrorNumber, VirError,
} from '@tsvirt/core';
import type { DomainRef, DomainSnapshot, DomainSnapshotRef } from '@tsvirt/core/driver';
import { parseSnapshotXml } from '@tsvirt/core/xml';
import { plainRef } from '@tsvirt/core/protocol';
import type { TestDriverState } from './driver-state.js';
import { startDomain, stopDomain } from './lifecycle.js';
import { checkFlags } from './test-errors.js';

const refOf = (snap: DomainSnapshot) => plainRef('DomainSnapshot', snap) as unknown as DomainSnapshotRef;

/** The snapshot a reference names: its domain by name, then the snapshot. */
function snapshotOf(s: TestDriverState, ref: DomainSnapshotRef): DomainSnapshot {
  return s.domains.byName(ref.domain).snapshots.get(ref.name);
}

export function createSnapshot(s: TestDriverState, ref: DomainRef, xml: string, flags: number): DomainSnapshotRef {
  checkFlags(flags, SnapCreate.HALT | SnapCreate.VALIDATE, 'testDomainSnapshotCreateXML');
  const d = s.dom(ref);
  const { name, description } = parseSnapshotXml(xml);
  const shutoff = d.state === DomainState.SHUTOFF;
  const snap = d.snapshots.add({
    name: name ?? String(Math.floor(Date.now() / 1000)), description, state: d.state, creationTime: Math.floor(Date.now() / 1000),
    memory: shutoff ? 'no' : 'internal',
    disks: d.def.devices.flatMap((x) => (x.kind === 'disk' ? [{ name: x.target.dev, snapshot: x.device === 'disk' ? 'internal' as const : 'no' as const }] : [])),
    def: structuredClone(d.def),
  });
  if (flags & SnapCreate.HALT && d.active) stopDomain(s, d, DomainShutoffReason.FROM_SNAPSHOT, Stopped.FROM_SNAPSHOT);
  return refOf(snap);
}

export const listSnapshots = (s: TestDriverState, ref: DomainRef, flags: number): DomainSnapshotRef[] => s.dom(ref).snapshots.list(flags).map(refOf);

export function lookupSnapshot(s: TestDriverState, ref: DomainRef, name: string, flags: number): DomainSnapshotRef {
  checkFlags(flags, 0, 'testDomainSnapshotLookupByName');
  return refOf(s.dom(ref).snapshots.get(name));
}

export function hasCurrentSnapshot(s: TestDriverState, ref: DomainRef, flags: number): boolean {
  checkFlags(flags, 0, 'testDomainHasCurrentSnapshot');
  return s.dom(ref).snapshots.current !== null;
}

export function currentSnapshot(s: TestDriverState, ref: DomainRef, flags: number): DomainSnapshotRef {
  checkFlags(flags, 0, 'testDomainSnapshotCurrent');
  return refOf(s.dom(ref).snapshots.currentOrFail());
}

export function snapshotXml(s: TestDriverState, ref: DomainSnapshotRef, flags: number): string {
  checkFlags(flags, DomainSnapshotXMLFlags.SECURE, 'testDomainSnapshotGetXMLDesc');
  return snapshotOf(s, ref).toXml((flags & DomainSnapshotXMLFlags.SECURE) !== 0);
}

export function snapshotParent(s: TestDriverState, ref: DomainSnapshotRef, flags: number): DomainSnapshotRef {
  checkFlags(flags, 0, 'testDomainSnapshotGetParent');
  const snap = snapshotOf(s, ref);
  return refOf(snap.tree.parentOf(snap));
}

export function snapshotChildren(s: TestDriverState, ref: DomainSnapshotRef, flags: number): DomainSnapshotRef[] {
  const snap = snapshotOf(s, ref);
  return snap.tree.children(snap, flags).map(refOf);
}

export function snapshotIsCurrent(s: TestDriverState, ref: DomainSnapshotRef, flags: number): boolean {
  checkFlags(flags, 0, 'testDomainSnapshotIsCurrent');
  const snap = snapshotOf(s, ref);
  return snap.tree.current === snap;
}

export function snapshotHasMetadata(s: TestDriverState, ref: DomainSnapshotRef, flags: number): boolean {
  checkFlags(flags, 0, 'testDomainSnapshotHasMetadata');
  snapshotOf(s, ref);
  return true;
}

export function deleteSnapshot(s: TestDriverState, ref: DomainSnapshotRef, flags: number): void {
  checkFlags(flags, SnapDelete.CHILDREN | SnapDelete.METADATA_ONLY | SnapDelete.CHILDREN_ONLY, 'testDomainSnapshotDelete');
  const snap = snapshotOf(s, ref);
  snap.tree.delete(snap, flags);
}

/** Bring back the snapshot's definition and state (RUNNING or PAUSED choose the state instead). */
export function revertToSnapshot(s: TestDriverState, ref: DomainSnapshotRef, flags: number): void {
  checkFlags(flags, Revert.RUNNING | Revert.PAUSED | Revert.FORCE, 'testDomainRevertToSnapshot');
  if ((flags & Revert.RUNNING) && (flags & Revert.PAUSED)) {
    throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN_SNAPSHOT,
      "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
  }
  const snap = snapshotOf(s, ref);
  const d = s.domains.byName(ref.domain);
  const target = flags & Revert.PAUSED ? DomainState.PAUSED : flags & Revert.RUNNING ? DomainState.RUNNING : snap.facts.state;
  d.def = structuredClone(snap.facts.def);
  d.newDef = null;
  if (target === DomainState.RUNNING || target === DomainState.PAUSED) {
    if (!d.active) startDomain(s, d, DomainRunningReason.FROM_SNAPSHOT);
    if (target === DomainState.PAUSED && d.state !== DomainState.PAUSED) {
      d.setPaused(DomainPausedReason.FROM_SNAPSHOT);
      s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.FROM_SNAPSHOT);
    } else if (target === DomainState.RUNNING && d.state === DomainState.PAUSED) {
      d.setRunning(d.id, DomainRunningReason.FROM_SNAPSHOT);
      s.events.lifecycle(d.ref(), Ev.RESUMED, Resumed.FROM_SNAPSHOT);
    }
  } else if (d.active) {
    stopDomain(s, d, DomainShutoffReason.FROM_SNAPSHOT, Stopped.FROM_SNAPSHOT);
  }
  snap.tree.current = snap;
}
