// Starting and stopping domains through xl: create from the definition's xl.cfg,
// shutdown and reboot (requests the guest answers), destroy, pause and unpause.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DomainCreateFlags, DomainDestroyFlags, DomainEventResumedDetailType as Resumed, DomainEventStartedDetailType as Started,
  DomainEventStoppedDetailType as Stopped, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev, DomainRunningReason,
  DomainShutoffReason, DomainState,
} from '@tsvirt/core';
import { domainAlreadyActive, takeHandleId, writeFileAtomic, type DomainRef } from '@tsvirt/core/driver';
import type { DomainDef } from '@tsvirt/core/xml';
import { writeLiveDef } from './domain-state-file.js';
import type { XenDriverState } from './driver-state.js';
import { domainToXlConfig } from './formats/domain-to-xl.js';
import { managedSavePath, parseDefinition, savedDefFile } from './persistence.js';
import { XenDomain } from './xen-domain.js';
import { checkFlags, fromXl, notRunning, operationInvalid } from './xen-errors.js';

/** The id xl gave a domain it created (`xl domid NAME`). */
async function domidOf(s: XenDriverState, name: string): Promise<number> {
  const out = (await s.xl(['domid', name])).stdout.trim();
  if (!/^\d{1,5}$/.test(out)) throw fromXl(`start domain '${name}'`, new Error(`xl domid printed '${out.slice(0, 40)}'`));
  return Number(out);
}

/** xl has started the domain: its id, state, live definition and events. */
async function launched(s: XenDriverState, d: XenDomain, paused: boolean, restored: boolean): Promise<void> {
  const id = await domidOf(s, d.name);
  d.setRunning(id, restored ? DomainRunningReason.RESTORED : DomainRunningReason.BOOTED);
  if (paused) d.setPaused();
  await writeLiveDef(s.dirs.runDir, d.def, id);
  s.events.lifecycle(d.ref(), Ev.STARTED, restored ? Started.RESTORED : Started.BOOTED);
  if (paused) s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
}

/** `xl create` from the definition's xl.cfg (written to the run folder, readable by root only). */
export async function startDef(s: XenDriverState, d: XenDomain, paused: boolean): Promise<void> {
  const def: DomainDef = d.def;
  const cfg = path.join(s.dirs.runDir, `${def.name}.cfg`);
  await fs.mkdir(s.dirs.runDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(cfg, domainToXlConfig(def));
  try {
    await s.xl(['create', ...(paused ? ['-p'] : []), cfg]);
  } catch (e) {
    throw fromXl(`start domain '${def.name}'`, e);
  } finally {
    await fs.rm(cfg, { force: true });
  }
  await launched(s, d, paused, false);
}

/** `xl restore` of a saved image. */
export async function startRestored(s: XenDriverState, d: XenDomain, image: string): Promise<void> {
  try {
    await s.xl(['restore', image]);
  } catch (e) {
    throw fromXl(`restore domain '${d.name}'`, e);
  }
  await launched(s, d, false, true);
}

/** A start that finds a managed-save image restores from it (and the image goes), as libvirt's does. */
async function startFromManagedSave(s: XenDriverState, d: XenDomain): Promise<boolean> {
  const image = managedSavePath(s, d.name);
  if (!(await fs.access(image).then(() => true, () => false))) return false;
  await startRestored(s, d, image);
  await Promise.all([fs.rm(image, { force: true }), fs.rm(savedDefFile(image), { force: true })]);
  d.managedSave = false;
  return true;
}

export async function createDomain(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainCreateFlags.START_PAUSED, 'libxlDomainCreateWithFlags');
  const d = await s.dom(ref);
  // libvirt's libxl driver checks this itself, in its own words
  if (d.active) throw operationInvalid('Domain is already running');
  if (!(await startFromManagedSave(s, d))) await startDef(s, d, (flags & DomainCreateFlags.START_PAUSED) !== 0);
  d.updateHandle(ref);
}

/**
 * A definition that comes with the call (create from XML, restore): its domain is a
 * defined one with that UUID (which runs it, keeping its persistent definition for
 * later) or a new transient one, started by `start`.
 */
export async function startGivenDef(s: XenDriverState, xml: string, start: (d: XenDomain) => Promise<void>): Promise<XenDomain> {
  s.host();
  await s.fresh();
  const def = parseDefinition(s, xml);
  const existing = s.domains.findUuid(def.uuid);
  if (existing?.active) throw domainAlreadyActive(def.name);
  const d = existing ?? new XenDomain(def, false);
  if (!existing) s.domains.add(d);
  const before = d.def;
  d.def = def;
  try {
    await start(d);
  } catch (e) {
    if (!existing) s.domains.remove(d);
    d.def = before;
    throw e;
  }
  if (existing?.persistent && before !== def) d.newDef ??= before;
  return d;
}

export async function createDomainXML(s: XenDriverState, xml: string, flags: number): Promise<DomainRef> {
  checkFlags(flags, DomainCreateFlags.START_PAUSED, 'libxlDomainCreateXML');
  return (await startGivenDef(s, xml, (d) => startDef(s, d, (flags & DomainCreateFlags.START_PAUSED) !== 0))).ref();
}

/** A running domain, for a call that needs one. */
export async function runningDom(s: XenDriverState, ref: DomainRef): Promise<XenDomain> {
  const d = await s.dom(ref);
  if (!d.active) throw notRunning();
  return d;
}

export async function shutdownDomain(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainShutdownFlags');
  const d = await runningDom(s, ref);
  try {
    await s.xl(['shutdown', String(d.id)]);
  } catch (e) {
    throw fromXl(`shutdown domain '${d.name}'`, e);
  }
  d.shutdownRequested = true;
  // the guest may already be gone: then its stop is reported now, not at the next query
  s.stale = true;
  await s.fresh();
  if (!d.active) takeHandleId(ref, { id: -1 });
}

export async function rebootDomain(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainReboot');
  const d = await runningDom(s, ref);
  try {
    await s.xl(['reboot', String(d.id)]);
  } catch (e) {
    throw fromXl(`reboot domain '${d.name}'`, e);
  }
  s.events.reboot(d.ref());
}

export async function destroyDomain(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainDestroyFlags.GRACEFUL, 'libxlDomainDestroyFlags');
  const d = await runningDom(s, ref);
  try {
    await s.xl(['destroy', String(d.id)]);
  } catch (e) {
    throw fromXl(`destroy domain '${d.name}'`, e);
  }
  await s.stopped(d, DomainShutoffReason.DESTROYED, Stopped.DESTROYED);
  d.updateHandle(ref);
}

export async function suspendDomain(s: XenDriverState, ref: DomainRef): Promise<void> {
  const d = await runningDom(s, ref);
  if (d.state === DomainState.PAUSED) return;
  try {
    await s.xl(['pause', String(d.id)]);
  } catch (e) {
    throw fromXl(`suspend domain '${d.name}'`, e);
  }
  d.setPaused();
  s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
}

export async function resumeDomain(s: XenDriverState, ref: DomainRef): Promise<void> {
  const d = await runningDom(s, ref);
  if (d.state !== DomainState.PAUSED) return;
  try {
    await s.xl(['unpause', String(d.id)]);
  } catch (e) {
    throw fromXl(`resume domain '${d.name}'`, e);
  }
  d.setRunning(d.id, DomainRunningReason.UNPAUSED);
  s.events.lifecycle(d.ref(), Ev.RESUMED, Resumed.UNPAUSED);
}

/** Start the persistent domains marked autostart that do not run (once per host boot: see the connection). */
export async function autostartDomains(s: XenDriverState): Promise<void> {
  for (const d of [...s.domains.all()]) {
    if (!d.autostart || d.active) continue;
    await startDef(s, d, false).catch((e: Error) => process.stderr.write(`tsvirt: Failed to autostart VM '${d.name}': ${e.message}\n`));
  }
}
