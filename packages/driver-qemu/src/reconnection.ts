// Reconnection: a new connection (or a restarted daemon) loads the persistent configs,
// then finds the QEMU processes of running domains through their state files and
// takes their monitors again, or cleans up after those that ended unwatched.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber } from '@tsvirt/core';
import { unsafeFolderReason, removeStaleTempFiles } from '@tsvirt/core/driver';
import { recordPtyPaths } from './chardev-ptys.js';
import { readDomainStates, removeDomainState, writeShutoffState } from './domain-state-file.js';
import type { QemuDriverState } from './driver-state.js';
import { finishReboot, watchQemu } from './monitor-events.js';
import { removeRunFiles } from './domain-security.js';
import { processMentions } from './process-probe.js';
import { qemuError } from './qemu-errors.js';
import { makeDir } from './qemu-dirs.js';
import { RunningQemu } from './running-qemu.js';

/** Persistent configs, then the live state of running domains: reattach, or clean up after dead ones. */
export async function loadDomains(s: QemuDriverState): Promise<void> {
  const { configDir, runDir, logDir } = s.dirs;
  // QEMU under another user reaches its own folder in runDir (save and restore), nothing else there.
  await makeDir(runDir, s.options.security ? 0o711 : 0o700);
  await Promise.all([makeDir(configDir, 0o700), makeDir(logDir, 0o700)]);
  // A folder another user owns, can write or can rename away would let that user swap our configs and state.
  for (const dir of [configDir, runDir, logDir]) {
    const why = unsafeFolderReason(dir);
    if (why) throw qemuError(ErrorNumber.OPERATION_FAILED, `refusing state folder ${dir}: ${why}`);
  }
  await Promise.all([configDir, runDir].map((dir) => removeStaleTempFiles(dir)));
  const alive = new Set<string>();
  for (const { def, autostart } of await s.configs.loadAll()) {
    const d = s.newDomain(def, true);
    d.autostart = autostart;
    d.managedSave = await fileExists(s.managedSavePath(d));
    s.domains.add(d);
  }
  for (const live of await readDomainStates(runDir)) {
    if ('broken' in live) {
      await removeDomainState(runDir, live.broken);
      continue;
    }
    if ('shutoff' in live) {
      const known = s.domains.findName(live.shutoff);
      if (known) known.reason = live.reason;
      else await removeDomainState(runDir, live.shutoff);
      continue;
    }
    // Recognised by its -uuid: a path in its arguments may be written with QEMU's doubled commas.
    if (!(await processMentions(live.pid, live.def.uuid))) {
      // QEMU ended while no connection watched it: its run files are stale. Whether
      // the guest powered off or QEMU died cannot be told any more, unless a shutdown was asked for.
      const known = s.domains.findUuid(live.def.uuid);
      const reason = live.shutdownRequested ? DomainShutoffReason.SHUTDOWN : DomainShutoffReason.UNKNOWN;
      known?.setShutoff(reason);
      await Promise.all([
        known ? writeShutoffState(runDir, known.name, reason) : removeDomainState(runDir, live.def.name),
        // Its files are given back below, once every running guest's hold on them is known.
        removeRunFiles(s, live.def, live.monitorPath),
      ]);
      continue;
    }
    alive.add(live.def.uuid);
    await s.owners.adopt(live.def.uuid);
    let d = s.domains.findUuid(live.def.uuid);
    if (d) {
      d.newDef = d.def;
      d.def = live.def;
    } else {
      d = s.newDomain(live.def, false);
      s.domains.add(d);
    }
    d.id = live.id;
    d.state = live.state;
    d.reason = live.reason;
    d.shutdownRequested = live.shutdownRequested;
    d.rebootRequested = live.rebootRequested;
    s.nextId = Math.max(s.nextId, live.id + 1);
    // QEMU serves one monitor client: while another connection holds it, the
    // guest is listed as running and calls that need the monitor say so.
    const running = await RunningQemu.reattach(live.pid, live.monitorPath).catch(() => undefined);
    if (!running) continue;
    watchQemu(s, d, running);
    // The state may have changed while nobody watched (a pause from another client).
    const status = await running.qmp.execute<{ running: boolean; status: string }>('query-status').catch(() => undefined);
    if (status?.status === 'shutdown' && d.rebootRequested) {
      // A reboot's power-off happened while no connection watched: finish it now.
      await finishReboot(s, d, running).catch(() => {});
      continue;
    }
    if (status && status.running !== (d.state === DomainState.RUNNING)) {
      d.state = status.running ? DomainState.RUNNING : DomainState.PAUSED;
      d.reason = status.running ? DomainRunningReason.UNPAUSED : DomainPausedReason.UNKNOWN;
    }
    // The state file has them, unless it was written by a version that did not record them.
    await recordPtyPaths(running.qmp, d.def).catch(() => {});
  }
  // Files of guests that stopped while no connection watched them go back to their owners.
  await s.owners.restoreOthers(alive);
}

export const fileExists = (file: string): Promise<boolean> => fs.access(file).then(() => true, () => false);
