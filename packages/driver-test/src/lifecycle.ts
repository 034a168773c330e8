// Lifecycle of the mock hypervisor's domains: create, destroy, shutdown, reboot, reset,
// suspend and resume, each a change of state with libvirt's events.

import {
  DomainCreateFlags, DomainDestroyFlags, DomainEventStartedDetailType as Started, DomainEventStoppedDetailType as Stopped,
  DomainEventSuspendedDetailType as Suspended, DomainEventResumedDetailType as Resumed, DomainEventType as Ev, DomainRunningReason,
  DomainShutoffReason, DomainState,
} from '@tsvirt/core';
import { domainAlreadyActive, type DomainRef } from '@tsvirt/core/driver';
import { parseDomainXml } from '@tsvirt/core/xml';
import type { TestDriverState } from './driver-state.js';
import { TestDomain } from './test-domain.js';
import { checkFlags, internal, invalidOperation, notRunning } from './test-errors.js';

/** The detail of the STARTED event for each reason a domain runs. */
const STARTED_DETAIL: Record<number, number> = {
  [DomainRunningReason.BOOTED]: Started.BOOTED, [DomainRunningReason.RESTORED]: Started.RESTORED,
  [DomainRunningReason.FROM_SNAPSHOT]: Started.FROM_SNAPSHOT,
};

export function startDomain(s: TestDriverState, d: TestDomain, reason: number = DomainRunningReason.BOOTED, flags = 0): void {
  d.setRunning(s.nextId++, reason);
  s.events.lifecycle(d.ref(), Ev.STARTED, STARTED_DETAIL[reason] ?? Started.BOOTED);
  // START_PAUSED: tsvirt's addition, which libvirt's test driver refuses (DIFFERENCES.md)
  if (flags & DomainCreateFlags.START_PAUSED) {
    d.setPaused();
    s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
  }
}

export function stopDomain(s: TestDriverState, d: TestDomain, reason: number, detail: number): void {
  d.setShutoff(reason);
  s.events.lifecycle(d.ref(), Ev.STOPPED, detail);
  if (!d.persistent) s.domains.remove(d);
}

export function createDomainXML(s: TestDriverState, xml: string, flags: number): DomainRef {
  checkFlags(flags, DomainCreateFlags.START_VALIDATE | DomainCreateFlags.START_PAUSED, 'testDomainCreateXML');
  const def = s.fillDefaults(parseDomainXml(xml));
  const existing = s.domains.existingFor(def);
  if (existing?.active) throw domainAlreadyActive(def.name);
  const d = existing ?? new TestDomain(def, false);
  if (existing) {
    existing.newDef = existing.def;
    existing.def = def;
  } else {
    s.domains.add(d);
  }
  startDomain(s, d, DomainRunningReason.BOOTED, flags);
  return d.ref();
}

export function createDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, DomainCreateFlags.START_PAUSED, 'testDomainCreateWithFlags');
  const d = s.dom(ref);
  if (d.active) throw invalidOperation(`Domain '${d.name}' is already running`);
  // as libvirt's test driver: a managed save image is dropped and the domain boots afresh
  d.managedSave = false;
  startDomain(s, d, DomainRunningReason.BOOTED, flags);
  d.updateHandle(ref);
}

export function shutdownDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, 0, 'testDomainShutdownFlags');
  const d = s.dom(ref);
  if (!d.active) throw internal(`domain '${d.name}' not running`);
  stopDomain(s, d, DomainShutoffReason.SHUTDOWN, Stopped.SHUTDOWN);
  d.updateHandle(ref);
}

export function rebootDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, 0x1f, 'testDomainReboot');
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  if (d.def.onReboot === 'destroy') {
    stopDomain(s, d, DomainShutoffReason.SHUTDOWN, Stopped.SHUTDOWN);
    d.updateHandle(ref);
  } else {
    d.setRunning(d.id, DomainRunningReason.BOOTED);
  }
}

export function resetDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, 0, 'testDomainReset');
  if (!s.dom(ref).active) throw notRunning();
}

export function destroyDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, DomainDestroyFlags.GRACEFUL, 'testDomainDestroyFlags');
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  stopDomain(s, d, DomainShutoffReason.DESTROYED, Stopped.DESTROYED);
  d.updateHandle(ref);
}

export function suspendDomain(s: TestDriverState, ref: DomainRef): void {
  const d = s.dom(ref);
  // as libvirt's test driver: a stopped domain is "not running" too, an internal error
  if (d.state !== DomainState.RUNNING) throw internal(`domain '${d.name}' not running`);
  d.setPaused();
  s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
}

export function resumeDomain(s: TestDriverState, ref: DomainRef): void {
  const d = s.dom(ref);
  if (d.state !== DomainState.PAUSED) throw internal(`domain '${d.name}' not paused`);
  d.setRunning(d.id, DomainRunningReason.UNPAUSED);
  s.events.lifecycle(d.ref(), Ev.RESUMED, Resumed.UNPAUSED);
}
