// Save and restore: a guest's state streamed to a file (virDomainSave, managed save)
// and a guest started again from one.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DomainEventStartedDetailType as Started, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev, DomainRunningReason, DomainSaveRestoreFlags,
  DomainShutoffReason, DomainState, ErrorNumber,
} from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import { formatDomainXml } from '@tsvirt/core/xml';
import { dacOf } from './domain-security.js';
import type { QemuDriverState } from './driver-state.js';
import { domainDir } from './qemu-dirs.js';
import { launchQemu } from './lifecycle.js';
import type { QemuDomain } from './qemu-domain.js';
import { checkFlags, qemuError, viaMonitor } from './qemu-errors.js';
import { readSaveHeader, restoreFromFile, saveToFile } from './qemu-save-image.js';

const noXmlChange = () => qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, 'changing the domain XML of a save image is not supported');

/** Start `d` from a save file, with the RESTORED reason and events. */
export async function restoreDomain(s: QemuDriverState, d: QemuDomain, file: string, offset: number, paused: boolean): Promise<void> {
  const socket = path.join(domainDir(s.dirs, d.uuid), 'incoming.sock');
  await launchQemu(s, d, paused, { incoming: true, reason: DomainRunningReason.RESTORED, load: (r) => restoreFromFile(r.qmp, socket, file, offset) });
  s.events.lifecycle(d.ref(), Ev.STARTED, Started.RESTORED);
  if (paused) s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
}

/** Pause, stream the state to `file`, and stop QEMU: the domain is shut off (saved). */
async function saveTo(s: QemuDriverState, d: QemuDomain, file: string, api: string): Promise<void> {
  await d.job.run(api, async () => {
    const running = s.running(d);
    const wasRunning = d.state === DomainState.RUNNING;
    if (wasRunning) await viaMonitor(running.qmp.execute('stop'));
    const socket = path.join(domainDir(s.dirs, d.uuid), 'migrate.sock');
    const xml = formatDomainXml(d.def, { inactive: true, secure: true });
    d.job.abortableBy(() => running.qmp.execute('migrate_cancel'));
    try {
      await viaMonitor(saveToFile(running.qmp, socket, file, xml, (await dacOf(s, d))?.process, d.job.progress));
    } catch (e) {
      // The file is gone (saveToFile removes what it wrote); the guest goes on as before.
      if (wasRunning) await running.qmp.execute('cont').catch(() => {});
      if (d.job.active?.aborted) throw qemuError(ErrorNumber.OPERATION_ABORTED, "job 'domain save' canceled by client");
      throw e;
    }
    d.stopReason = DomainShutoffReason.SAVED;
    await running.stop();
    await d.afterExit;
  });
}

export async function saveDomain(s: QemuDriverState, ref: DomainRef, to: string, dxml: string | undefined, flags: number): Promise<void> {
  checkFlags(flags, 0, 'qemuDomainSaveFlags');
  if (dxml !== undefined) throw noXmlChange();
  const d = s.dom(ref);
  await saveTo(s, d, path.resolve(to), 'virDomainSave');
  d.updateHandle(ref);
}

export async function restoreDomainFile(s: QemuDriverState, from: string, dxml: string | undefined, flags: number): Promise<void> {
  checkFlags(flags, DomainSaveRestoreFlags.RUNNING | DomainSaveRestoreFlags.PAUSED, 'qemuDomainRestoreFlags');
  if (dxml !== undefined) throw noXmlChange();
  const file = path.resolve(from);
  const header = await readSaveHeader(file);
  const def = await s.parseDefinition(header.xml, { allowOtherUuid: true, fresh: false });
  let d = s.domains.findUuid(def.uuid);
  const added = !d;
  if (!d) {
    d = s.newDomain(def, false);
    s.domains.add(d);
  }
  const dom = d;
  try {
    await dom.job.run('virDomainRestore', async () => {
      if (dom.active) throw qemuError(ErrorNumber.OPERATION_INVALID, `domain '${dom.name}' is already active`);
      // The persistent definition stays apart from the one the image brings.
      if (dom.persistent && !dom.newDef) dom.newDef = dom.def;
      dom.def = def;
      await restoreDomain(s, dom, file, header.offset, (flags & DomainSaveRestoreFlags.PAUSED) !== 0);
    });
  } catch (e) {
    if (added) s.domains.remove(dom);
    throw e;
  }
}

export async function managedSaveDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainSaveRestoreFlags.RUNNING | DomainSaveRestoreFlags.PAUSED, 'qemuDomainManagedSave');
  const d = s.dom(ref);
  if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot do managed save for transient domain');
  await fs.mkdir(s.dirs.saveDir, { recursive: true, mode: 0o700 });
  await saveTo(s, d, s.managedSavePath(d), 'virDomainManagedSave');
  d.managedSave = true;
  d.updateHandle(ref);
}

export function hasManagedSaveImage(s: QemuDriverState, ref: DomainRef, flags: number): boolean {
  checkFlags(flags, 0, 'qemuDomainHasManagedSaveImage');
  return s.dom(ref).managedSave;
}

export async function removeManagedSave(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'qemuDomainManagedSaveRemove');
  const d = s.dom(ref);
  await fs.rm(s.managedSavePath(d), { force: true });
  d.managedSave = false;
}
