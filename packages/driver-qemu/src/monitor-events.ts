// The monitor-event state machine: what QEMU reports on its monitor (STOP, RESUME,
// SHUTDOWN, RESET, GUEST_PANICKED) and its exit move the domain's state and raise
// libvirt's lifecycle events.

import {
  DomainEventCrashedDetailType as Crashed, DomainEventResumedDetailType as Resumed, DomainEventShutdownDetailType as Shutdown,
  DomainEventStoppedDetailType as Stopped, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev, DomainPausedReason,
  DomainRunningReason, DomainShutoffReason, DomainState,
} from '@tsvirt/core';
import { releaseDomain } from './domain-security.js';
import { removeDomainState, writeShutoffState } from './domain-state-file.js';
import type { QemuDriverState } from './driver-state.js';
import type { QemuDomain } from './qemu-domain.js';
import { domainEventsOf } from './qmp-domain-events.js';
import { diskNodes } from './qemu-live-queries.js';
import type { QmpEvent } from './qmp/qmp-wire.js';
import type { RunningQemu } from './running-qemu.js';

/** Why the vCPUs stopped, by the job that stopped them. */
const PAUSE_REASONS: Record<string, number> = {
  virDomainSuspend: DomainPausedReason.USER,
  virDomainSave: DomainPausedReason.SAVE,
  virDomainManagedSave: DomainPausedReason.SAVE,
};

/** Why the vCPUs run again, by the job that resumed them: a save that failed or was aborted. */
const RESUME_REASONS: Record<string, number> = {
  virDomainSave: DomainRunningReason.SAVE_CANCELED,
  virDomainManagedSave: DomainRunningReason.SAVE_CANCELED,
};

/** The STOPPED event's detail for each shut-off reason. */
const STOPPED_DETAIL: Record<number, number> = {
  [DomainShutoffReason.DESTROYED]: Stopped.DESTROYED,
  [DomainShutoffReason.SHUTDOWN]: Stopped.SHUTDOWN,
  [DomainShutoffReason.CRASHED]: Stopped.FAILED,
  [DomainShutoffReason.FAILED]: Stopped.FAILED,
  [DomainShutoffReason.SAVED]: Stopped.SAVED,
  [DomainShutoffReason.FROM_SNAPSHOT]: Stopped.FROM_SNAPSHOT,
};

/** Follow a running QEMU: its events change the domain's state, its exit shuts the domain off. */
export function watchQemu(s: QemuDriverState, d: QemuDomain, running: RunningQemu): void {
  d.running = running;
  running.qmp.on('event', (e) => onMonitorEvent(s, d, e));
  d.afterExit = running.exited.then(() => onExit(s, d, running));
}

function onMonitorEvent(s: QemuDriverState, d: QemuDomain, e: QmpEvent): void {
  if (d.starting) return;
  const data = (e.data ?? {}) as Record<string, unknown>;
  switch (e.event) {
    case 'STOP':
      if (d.state !== DomainState.RUNNING || d.guestShutdown) return;
      d.setPaused(PAUSE_REASONS[d.job.owner ?? ''] ?? DomainPausedReason.UNKNOWN);
      s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
      void s.saveState(d).catch(() => {});
      return;
    case 'RESUME':
      if (d.state !== DomainState.PAUSED) return;
      d.setRunning(d.id, RESUME_REASONS[d.job.owner ?? ''] ?? DomainRunningReason.UNPAUSED);
      s.events.lifecycle(d.ref(), Ev.RESUMED, Resumed.UNPAUSED);
      void s.saveState(d).catch(() => {});
      return;
    case 'SHUTDOWN':
      // Our own "quit" is a destroy, reported when QEMU has exited.
      if (data.reason === 'host-qmp-quit') return;
      if (d.rebootRequested && d.running) {
        void finishReboot(s, d, d.running).catch(() => {});
        return;
      }
      d.guestShutdown = true;
      s.events.lifecycle(d.ref(), Ev.SHUTDOWN, data.guest ? Shutdown.GUEST : Shutdown.HOST);
      return;
    case 'RESET':
      // A reboot by the guest itself (or a reset): QEMU carries on with the same process.
      s.events.reboot(d.ref());
      return;
    case 'GUEST_PANICKED':
      s.events.lifecycle(d.ref(), Ev.CRASHED, Crashed.PANICKED);
      return;
    default:
      void raiseDeviceEvents(s, d, e);
  }
}

/** The events of a monitor event about the guest's devices or memory, raised in the order QEMU sent them. */
async function raiseDeviceEvents(s: QemuDriverState, d: QemuDomain, e: QmpEvent): Promise<void> {
  const running = d.running;
  if (!running) return;
  const ref = d.ref();
  // Which disk a block node is: asked of QEMU only for the events that name nodes.
  const diskOfNode = async (node: string) => {
    const nodes = await diskNodes(running.qmp).catch(() => undefined);
    return d.def.devices.flatMap((x) => (x.kind === 'disk' && x.alias !== undefined && nodes?.(x.alias) === node ? [x.alias] : []))[0];
  };
  for (const event of await domainEventsOf(ref, d.def, e, diskOfNode)) s.events.raise(event);
}

/** QEMU has exited: why decides the shut-off reason and the event. */
async function onExit(s: QemuDriverState, d: QemuDomain, running: RunningQemu): Promise<void> {
  if (s.closed || d.running !== running) return;
  const reason = d.stopReason ?? (d.guestShutdown || d.shutdownRequested ? DomainShutoffReason.SHUTDOWN : DomainShutoffReason.CRASHED);
  await running.qmp.close().catch(() => {});
  // However QEMU ended (a crash too): its run files go, its files go back to their owners.
  await releaseDomain(s, d.def, running.monitorPath);
  const recorded = d.persistent ? writeShutoffState(s.dirs.runDir, d.name, reason) : removeDomainState(s.dirs.runDir, d.name);
  await recorded.catch(() => {});
  d.setShutoff(reason);
  if (!d.persistent) s.domains.remove(d);
  s.events.lifecycle(d.ref(), Ev.STOPPED, STOPPED_DETAIL[reason] ?? Stopped.SHUTDOWN);
}

/** The guest has powered off for a reboot and QEMU paused: reset it, restore the exit action, run it. */
export async function finishReboot(s: QemuDriverState, d: QemuDomain, running: RunningQemu): Promise<void> {
  d.rebootRequested = false;
  d.starting = true;
  try {
    await running.qmp.execute('system_reset');
    await running.qmp.execute('set-action', { shutdown: 'poweroff' });
    await running.qmp.execute('cont');
  } finally {
    d.starting = false;
  }
  d.setRunning(d.id, DomainRunningReason.BOOTED);
  await s.saveState(d);
}
