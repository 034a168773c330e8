// Lifecycle: start (fresh or from a managed save), create, destroy, shutdown, reboot,
// reset, suspend and resume of QEMU guests.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  DomainCreateFlags, DomainEventStartedDetailType as Started, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev,
  DomainPausedReason, DomainRebootFlags, DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber, VirError,
} from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { DeviceDef } from '@tsvirt/core/xml';
import { recordPtyPaths } from './chardev-ptys.js';
import { cloneDef, type QemuDriverState } from './driver-state.js';
import { prepareDomain, releaseDomain } from './domain-security.js';
import { bindChardevListeners, type ChardevListeners } from './chardev-listeners.js';
import { watchQemu } from './monitor-events.js';
import { assignPciAddresses } from './pci-addresses.js';
import { assignAliases } from './device-aliases.js';
import { closeTapFds, passTapFds, plugInterfaces, unplugInterfaces } from './network/interface-plug.js';
import type { QemuDomain } from './qemu-domain.js';
import { alreadyRunning, checkFlags, fromMonitorError, internalError, qemuError } from './qemu-errors.js';
import { recordVncPort } from './graphics-ports.js';
import { applyVcpuPins } from './qemu-live-queries.js';
import { QemuProcess, QemuStartError } from './qemu-process.js';
import { readSaveHeader } from './qemu-save-image.js';
import { RunningQemu } from './running-qemu.js';
import { restoreDomain } from './save.js';
import { applyGraphicsPasswords } from './graphics-passwords.js';
import { nativeOptionsFor } from './native-options.js';
import { domainToQemuArgs, emulatorOf } from './xml-to-native.js';

/** Start a domain: its managed save if it has one, else a fresh boot. */
export async function startDomain(s: QemuDriverState, d: QemuDomain, flags: number, api: string): Promise<void> {
  await d.job.run(api, async () => {
    if (d.active) throw alreadyRunning();
    const paused = (flags & DomainCreateFlags.START_PAUSED) !== 0;
    if (d.managedSave) {
      // A managed save is resumed instead of a fresh boot, and consumed; the guest comes
      // back with the devices it had when saved (hot-plugged ones too), at their addresses.
      const image = s.managedSavePath(d);
      const header = await readSaveHeader(image);
      const persistent = d.def;
      d.def = await s.parseDefinition(header.xml, { allowOtherUuid: true, fresh: false });
      d.newDef = persistent;
      try {
        await restoreDomain(s, d, image, header.offset, paused);
      } catch (e) {
        d.def = persistent;
        d.newDef = null;
        throw e;
      }
      await fs.rm(image, { force: true });
      d.managedSave = false;
      return;
    }
    await launchQemu(s, d, paused);
    s.events.lifecycle(d.ref(), Ev.STARTED, Started.BOOTED);
    if (paused) s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.PAUSED);
  });
}

/** How a start brings a guest's state back before its vCPUs run: a saved stream (-incoming) or a snapshot QEMU loads. */
export interface StateLoad {
  incoming: boolean;
  /** the running reason once it runs */
  reason: number;
  load(running: RunningQemu): Promise<void>;
}

/**
 * Exec QEMU for a domain (vCPUs stopped), set it up and let it run unless
 * `paused`. `state` brings a saved state back first. A failure leaves no QEMU behind.
 */
export async function launchQemu(s: QemuDriverState, d: QemuDomain, paused: boolean, state?: StateLoad): Promise<void> {
  await checkDiskSources(d.def.devices);
  // A config written before addresses were kept gets them now (the same ones at every start).
  assignPciAddresses(d.def);
  // From here the live definition changes on its own (taps, aliases, hot-plug): keep the persistent one apart.
  if (d.persistent && !d.newDef) d.newDef = cloneDef(d.def);
  const taps = await plugInterfaces(s.network, d.def, s.tapOwner);
  let args: string[];
  try {
    args = domainToQemuArgs(d.def, { paused: true, ...nativeOptionsFor(s.dirs, d.uuid) });
  } catch (e) {
    closeTapFds(taps);
    await unplugInterfaces(d.def);
    throw e;
  }
  const tapFds = passTapFds(args, taps);
  if (state?.incoming) args.push('-incoming', 'defer');
  assignAliases(d.def);
  const logFile = path.join(s.dirs.logDir, `${d.name}.log`);
  let proc: QemuProcess;
  let listeners: ChardevListeners | undefined;
  try {
    const dac = await prepareDomain(s, d);
    // after the monitor's 3 and the taps'
    listeners = await bindChardevListeners(d.def, args, 4 + tapFds.length);
    proc = await QemuProcess.start({
      binary: emulatorOf(d.def) ?? s.options.binary, args, logFile,
      // Named by uuid: a socket path has a length limit that a domain name must not run into.
      monitorPath: path.join(s.dirs.runDir, `${d.uuid}.qmp`),
      pidFile: path.join(s.dirs.runDir, `${d.name}.pid`),
      ...(dac ? { user: { uid: dac.process.uid, gid: dac.process.gid, initGroups: dac.initGroups } } : {}),
      fds: [...tapFds, ...listeners.fds],
    });
  } catch (e) {
    await releaseDomain(s, d.def, undefined);
    // A file that could not be given to QEMU's user says so itself.
    if (e instanceof VirError) throw e;
    if (e instanceof QemuStartError) throw internalError(`process exited while connecting to monitor: ${e.log.trim() || e.message}`);
    throw internalError((e as Error).message);
  } finally {
    // QEMU has its own copies (or never will): the taps now live as long as it does
    closeTapFds(taps);
    await listeners?.close();
  }
  const running = RunningQemu.spawned(proc);
  d.starting = true;
  d.setRunning(s.nextId++);
  d.setPaused(DomainPausedReason.USER);
  watchQemu(s, d, running);
  try {
    await state?.load(running);
    await recordPtyPaths(running.qmp, d.def);
    await recordVncPort(running.qmp, d.def);
    await applyGraphicsPasswords(running.qmp, d.def);
    await applyVcpuPins(running, d.def);
    if (!paused) await running.qmp.execute('cont');
    if (paused) d.setPaused(DomainPausedReason.USER);
    else d.setRunning(d.id, state ? state.reason : DomainRunningReason.BOOTED);
    await s.saveState(d);
  } catch (e) {
    d.stopReason = DomainShutoffReason.FAILED;
    await running.stop();
    await d.afterExit;
    throw fromMonitorError(e);
  } finally {
    d.starting = false;
  }
}

export async function createDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainCreateFlags.START_PAUSED, 'qemuDomainCreateWithFlags');
  const d = s.dom(ref);
  await startDomain(s, d, flags, 'virDomainCreate');
  d.updateHandle(ref);
}

export async function createDomainXML(s: QemuDriverState, xml: string, flags: number): Promise<DomainRef> {
  checkFlags(flags, DomainCreateFlags.START_PAUSED | DomainCreateFlags.START_VALIDATE, 'qemuDomainCreateXML');
  const def = await s.parseDefinition(xml);
  const existing = s.domains.findUuid(def.uuid);
  if (existing?.active) throw qemuError(ErrorNumber.OPERATION_INVALID, `domain '${def.name}' is already active`);
  const d = existing ?? s.newDomain(def, false);
  if (existing) {
    existing.newDef = existing.def;
    existing.def = def;
  } else {
    s.domains.add(d);
  }
  try {
    await startDomain(s, d, flags, 'virDomainCreateXML');
  } catch (e) {
    if (!existing) s.domains.remove(d);
    else if (existing.newDef) { existing.def = existing.newDef; existing.newDef = null; }
    throw e;
  }
  return d.ref();
}

/** Start the autostart domains that are not running; one that fails is reported and left shut off, as libvirt does. */
export async function autostartDomains(s: QemuDriverState): Promise<void> {
  for (const d of s.domains.all()) {
    if (!d.autostart || d.active) continue;
    await startDomain(s, d, 0, 'virDomainCreate').catch((e: Error) => {
      process.emitWarning(`Failed to autostart VM '${d.name}': ${e.message}`);
    });
  }
}

export async function destroyDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 1, 'qemuDomainDestroyFlags');
  const d = s.dom(ref);
  // Destroy does not queue behind a stuck job: it is how a user gets out of one.
  const running = s.running(d);
  d.stopReason = DomainShutoffReason.DESTROYED;
  await running.stop();
  await d.afterExit;
  d.updateHandle(ref);
}

export async function shutdownDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'qemuDomainShutdownFlags');
  const d = s.dom(ref);
  await s.monitorJob(d, 'virDomainShutdown', async (r) => {
    d.shutdownRequested = true;
    await s.saveState(d);
    await r.qmp.execute('system_powerdown');
  });
}

/**
 * Reboot through the ACPI power button, as libvirt's "fake reboot": QEMU is
 * told to pause rather than exit at the guest's power-off, then it is reset and
 * resumed (finishReboot). Like libvirt, the call returns once the button is pressed.
 */
export async function rebootDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainRebootFlags.ACPI_POWER_BTN, 'qemuDomainReboot');
  const d = s.dom(ref);
  await s.monitorJob(d, 'virDomainReboot', async (r) => {
    if (d.def.onReboot === 'destroy') {
      d.shutdownRequested = true;
    } else {
      await r.qmp.execute('set-action', { shutdown: 'pause' });
      d.rebootRequested = true;
    }
    await s.saveState(d);
    await r.qmp.execute('system_powerdown');
  });
}

export async function resetDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'qemuDomainReset');
  await s.monitorJob(s.dom(ref), 'virDomainReset', (r) => r.qmp.execute('system_reset'));
}

export async function suspendDomain(s: QemuDriverState, ref: DomainRef): Promise<void> {
  const d = s.dom(ref);
  await s.monitorJob(d, 'virDomainSuspend', async (r) => {
    if (d.state === DomainState.PAUSED) return;
    await r.qmp.execute('stop');
  });
}

export async function resumeDomain(s: QemuDriverState, ref: DomainRef): Promise<void> {
  const d = s.dom(ref);
  await s.monitorJob(d, 'virDomainResume', async (r) => {
    if (d.state !== DomainState.PAUSED) throw qemuError(ErrorNumber.OPERATION_INVALID, 'domain is not paused');
    await r.qmp.execute('cont');
  });
}

/** Every disk image must exist before QEMU is started: libvirt's wording when one does not. */
export async function checkDiskSources(devices: DeviceDef[]): Promise<void> {
  for (const dev of devices) {
    if (dev.kind !== 'disk') continue;
    const file = dev.type === 'file' ? dev.source?.file : dev.type === 'block' ? dev.source?.dev : undefined;
    if (file === undefined) continue;
    await fs.access(file).catch((e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? 'No such file or directory' : e.code === 'EACCES' ? 'Permission denied' : e.message;
      throw qemuError(ErrorNumber.SYSTEM_ERROR, `Cannot access storage file '${file}': ${why}`);
    });
  }
}
