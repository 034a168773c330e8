// A qemu:/// connection: the domains of one instance (system or session), their
// persistent configs, and the QEMU processes of the running ones.

import { promises as fs } from 'node:fs';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import {
  ConnectListAllDomainsFlags as L, DomainCreateFlags, DomainRebootFlags, DomainDeviceModifyFlags as DeviceModify, DomainEventType, DomainPausedReason, DomainRunningReason,
  DomainSaveRestoreFlags, DomainShutoffReason, DomainState, DomainUndefineFlags, DomainXMLFlags, ErrorNumber, formatCapabilitiesXml, formatDomainXml, normalizeUuid, parseDomainXml,
  DomainConsoleFlags, type NodeInfo, type ConnectDriver, type DeviceDef, type DomainDef, type DomainEventSink, type DomainBlockStats, type DomainInfo, type DomainInterfaceStats, type DomainRef, type DomainStateInfo, type VcpuInfo, type VcpuPin,
} from '@tsvirt/core';
import { consolePtyPath, openPtyStream } from './console-pty.js';
import { DomainConfigStore } from './domain-config-store.js';
import { DomainJob } from './domain-job.js';
import { applyConfigDeviceChange, parseDeviceXml, type DeviceChange } from './device-config.js';
import { DomainEventSinks, EventDetail } from './domain-events.js';
import { validateDomainName } from './domain-name.js';
import { hostArch, hostCapabilities, probeBinary, qemuVersionNumber } from './host-capabilities.js';
import { hostCpu } from './host-cpu.js';
import { formatDomainCapabilities } from './domain-capabilities.js';
import { findInterface, tapInterfaceStats } from './interface-stats.js';
import type { QemuCapabilities } from './qemu-capabilities.js';
import { readSaveHeader, restoreFromFile, saveToFile } from './qemu-save-image.js';
import { readDomainStates, removeDomainState, writeDomainState, writeShutoffState } from './domain-state-file.js';
import { processCpuTimeNs, processMentions } from './process-probe.js';
import type { QemuDirs } from './qemu-dirs.js';
import { QemuDomain } from './qemu-domain.js';
import {
  alreadyRunning, checkFlags, fromMonitorError, internalError, notRunning, qemuError, viaMonitor,
} from './qemu-errors.js';
import { QemuProcess, QemuStartError } from './qemu-process.js';
import { fillDeviceDefaults, fillDomainDefaults } from './domain-defaults.js';
import { formatQemuArgv } from './native-format.js';
import { RunningQemu } from './running-qemu.js';
import { applyVcpuPins, blockStats, pinVcpuThread, queryVcpus } from './qemu-live-queries.js';
import { setVcpuPin, vcpuPins } from './vcpu-pinning.js';
import { recordPtyPaths } from './chardev-ptys.js';
import { claimAutostart } from './autostart-marker.js';
import { assignAliases, changeMedia, hotplugDisk, hotplugInterface, unplugDisk, unplugInterface } from './qemu-hotplug.js';
import type { QmpEvent } from './qmp/qmp-wire.js';
import { domainToQemuArgs, emulatorOf } from './xml-to-native.js';

export interface QemuConnectionOptions {
  uri: string;
  dirs: QemuDirs;
  /** the QEMU binary for definitions without an <emulator> */
  binary: string;
  /** how long a job waits for the domain's previous job (default 30 s) */
  jobWaitMs?: number;
}

const QEMU_ARGV = 'qemu-argv';
/** Why the vCPUs stopped, by the job that stopped them. */
const PAUSE_REASONS: Record<string, number> = {
  virDomainSuspend: DomainPausedReason.USER,
  virDomainSave: DomainPausedReason.SAVE,
  virDomainManagedSave: DomainPausedReason.SAVE,
};

export class QemuConnection implements ConnectDriver {
  static async open(options: QemuConnectionOptions): Promise<QemuConnection> {
    const conn = new QemuConnection(options);
    await conn.#load();
    if (await claimAutostart(options.dirs.runDir)) await conn.#autostart();
    return conn;
  }

  readonly #options: QemuConnectionOptions;
  readonly #configs: DomainConfigStore;
  readonly #domains = new Map<string, QemuDomain>();
  readonly #events = new DomainEventSinks();
  /** Console streams open now, by pty. */
  readonly #consoles = new Map<string, Duplex>();
  #nextId = 1;
  #closed = false;
  #qemuCaps: Promise<QemuCapabilities> | undefined;

  private constructor(options: QemuConnectionOptions) {
    this.#options = options;
    this.#configs = new DomainConfigStore(options.dirs.configDir);
  }

  get #dirs(): QemuDirs {
    return this.#options.dirs;
  }

  /** Persistent configs, then the live state of running domains: reattach, or clean up after dead ones. */
  async #load(): Promise<void> {
    const { configDir, runDir, logDir } = this.#dirs;
    await Promise.all([configDir, runDir, logDir].map((d) => fs.mkdir(d, { recursive: true, mode: 0o700 })));
    for (const { def, autostart } of await this.#configs.loadAll()) {
      const d = this.#newDomain(def, true);
      d.autostart = autostart;
      d.managedSave = await fileExists(this.#managedSavePath(d));
      this.#domains.set(d.uuid, d);
    }
    for (const live of await readDomainStates(runDir)) {
      if ('broken' in live) {
        await removeDomainState(runDir, live.broken);
        continue;
      }
      if ('shutoff' in live) {
        const known = [...this.#domains.values()].find((d) => d.name === live.shutoff);
        if (known) known.reason = live.reason;
        else await removeDomainState(runDir, live.shutoff);
        continue;
      }
      if (!(await processMentions(live.pid, live.monitorPath))) {
        // QEMU ended while no connection watched it: its run files are stale. Whether
        // the guest powered off or QEMU died cannot be told any more, unless a shutdown was asked for.
        const known = this.#domains.get(live.def.uuid);
        const reason = live.shutdownRequested ? DomainShutoffReason.SHUTDOWN : DomainShutoffReason.UNKNOWN;
        known?.setShutoff(reason);
        await Promise.all([
          known ? writeShutoffState(runDir, known.name, reason) : removeDomainState(runDir, live.def.name),
          fs.rm(live.monitorPath, { force: true }),
          fs.rm(path.join(runDir, `${live.def.name}.pid`), { force: true }),
        ]);
        continue;
      }
      let d = this.#domains.get(live.def.uuid);
      if (d) {
        d.newDef = d.def;
        d.def = live.def;
      } else {
        d = this.#newDomain(live.def, false);
        this.#domains.set(d.uuid, d);
      }
      d.id = live.id;
      d.state = live.state;
      d.reason = live.reason;
      d.shutdownRequested = live.shutdownRequested;
      d.rebootRequested = live.rebootRequested;
      this.#nextId = Math.max(this.#nextId, live.id + 1);
      // QEMU serves one monitor client: while another connection holds it, the
      // guest is listed as running and calls that need the monitor say so.
      const running = await RunningQemu.reattach(live.pid, live.monitorPath).catch(() => undefined);
      if (!running) continue;
      this.#watch(d, running);
      // The state may have changed while nobody watched (a pause from another client).
      const status = await running.qmp.execute<{ running: boolean; status: string }>('query-status').catch(() => undefined);
      if (status?.status === 'shutdown' && d.rebootRequested) {
        // A reboot's power-off happened while no connection watched: finish it now.
        await this.#finishReboot(d, running).catch(() => {});
        continue;
      }
      if (status && status.running !== (d.state === DomainState.RUNNING)) {
        d.state = status.running ? DomainState.RUNNING : DomainState.PAUSED;
        d.reason = status.running ? DomainRunningReason.UNPAUSED : DomainPausedReason.UNKNOWN;
      }
      // The state file has them, unless it was written by a version that did not record them.
      await recordPtyPaths(running.qmp, d.def).catch(() => {});
    }
  }

  /** Start the autostart domains that are not running; one that fails is reported and left shut off, as libvirt does. */
  async #autostart(): Promise<void> {
    for (const d of this.#domains.values()) {
      if (!d.autostart || d.active) continue;
      await this.#start(d, 0, 'virDomainCreate').catch((e: Error) => {
        process.emitWarning(`Failed to autostart VM '${d.name}': ${e.message}`);
      });
    }
  }

  #newDomain(def: DomainDef, persistent: boolean): QemuDomain {
    return new QemuDomain(def, persistent, new DomainJob(this.#options.jobWaitMs, path.join(this.#dirs.runDir, `${def.name}.lock`)));
  }

  #dom(ref: DomainRef): QemuDomain {
    const d = ref instanceof QemuDomain ? ref : this.#domains.get(ref.uuid);
    if (!d || this.#domains.get(d.uuid) !== d) throw qemuError(ErrorNumber.NO_DOMAIN, `no domain with matching uuid '${ref.uuid}' (${ref.name})`);
    return d;
  }

  #running(d: QemuDomain): RunningQemu {
    if (!d.active) throw notRunning();
    if (!d.running) throw qemuError(ErrorNumber.OPERATION_FAILED, `the monitor of domain '${d.name}' is held by another connection`);
    return d.running;
  }

  /** Follow a running QEMU: its events change the domain's state, its exit shuts the domain off. */
  #watch(d: QemuDomain, running: RunningQemu): void {
    d.running = running;
    running.qmp.on('event', (e) => this.#onQmpEvent(d, e));
    d.afterExit = running.exited.then(() => this.#onExit(d, running));
  }

  #onQmpEvent(d: QemuDomain, e: QmpEvent): void {
    if (d.starting) return;
    const data = (e.data ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'STOP':
        if (d.state !== DomainState.RUNNING || d.guestShutdown) return;
        d.state = DomainState.PAUSED;
        d.reason = PAUSE_REASONS[d.job.owner ?? ''] ?? DomainPausedReason.UNKNOWN;
        this.#events.lifecycle(d, DomainEventType.SUSPENDED, EventDetail.SUSPENDED_PAUSED);
        void this.#saveState(d).catch(() => {});
        return;
      case 'RESUME':
        if (d.state !== DomainState.PAUSED) return;
        d.state = DomainState.RUNNING;
        d.reason = DomainRunningReason.UNPAUSED;
        this.#events.lifecycle(d, DomainEventType.RESUMED, EventDetail.RESUMED_UNPAUSED);
        void this.#saveState(d).catch(() => {});
        return;
      case 'SHUTDOWN':
        // Our own "quit" is a destroy, reported when QEMU has exited.
        if (data.reason === 'host-qmp-quit') return;
        if (d.rebootRequested && d.running) {
          void this.#finishReboot(d, d.running).catch(() => {});
          return;
        }
        d.guestShutdown = true;
        // libvirt's SHUTDOWN details: 1 guest-initiated, 2 host-initiated.
        this.#events.lifecycle(d, DomainEventType.SHUTDOWN, data.guest ? 1 : 2);
        return;
      case 'RESET':
        // A reboot by the guest itself (or a reset): QEMU carries on with the same process.
        this.#events.reboot(d);
        return;
      case 'GUEST_PANICKED':
        this.#events.lifecycle(d, DomainEventType.CRASHED, EventDetail.CRASHED_PANICKED);
        return;
    }
  }

  /** QEMU has exited: why decides the shut-off reason and the event. */
  async #onExit(d: QemuDomain, running: RunningQemu): Promise<void> {
    if (this.#closed || d.running !== running) return;
    const reason = d.stopReason ?? (d.guestShutdown || d.shutdownRequested ? DomainShutoffReason.SHUTDOWN : DomainShutoffReason.CRASHED);
    const detail = {
      [DomainShutoffReason.DESTROYED]: EventDetail.STOPPED_DESTROYED,
      [DomainShutoffReason.SHUTDOWN]: EventDetail.STOPPED_SHUTDOWN,
      [DomainShutoffReason.CRASHED]: EventDetail.STOPPED_FAILED,
      [DomainShutoffReason.FAILED]: EventDetail.STOPPED_FAILED,
      [DomainShutoffReason.SAVED]: EventDetail.STOPPED_SAVED,
    }[reason] ?? EventDetail.STOPPED_SHUTDOWN;
    await running.qmp.close().catch(() => {});
    const recorded = d.persistent ? writeShutoffState(this.#dirs.runDir, d.name, reason) : removeDomainState(this.#dirs.runDir, d.name);
    await recorded.catch(() => {});
    d.setShutoff(reason);
    if (!d.persistent) this.#domains.delete(d.uuid);
    this.#events.lifecycle(d, DomainEventType.STOPPED, detail);
  }

  async #saveState(d: QemuDomain): Promise<void> {
    if (!d.running) return;
    await writeDomainState(this.#dirs.runDir, {
      id: d.id, pid: d.running.pid, monitorPath: d.running.monitorPath, state: d.state, reason: d.reason,
      shutdownRequested: d.shutdownRequested, rebootRequested: d.rebootRequested, def: d.def,
    });
  }

  connectClose(): Promise<void> {
    this.#closed = true;
    // The guests outlive the connection; the next one reattaches through their state files.
    return Promise.all([...this.#domains.values()].map((d) => d.running?.release())).then(() => {});
  }

  /** The default binary's capabilities, probed once per connection (and cached on disk per binary). */
  #capabilities(): Promise<QemuCapabilities> {
    this.#qemuCaps ??= probeBinary(this.#options.binary, this.#dirs);
    this.#qemuCaps.catch(() => { this.#qemuCaps = undefined; });
    return this.#qemuCaps;
  }

  async connectGetCapabilities(): Promise<string> {
    return formatCapabilitiesXml(hostCapabilities(await this.#capabilities(), await hostCpu()));
  }

  /** Host facts as libvirt's QEMU driver gives them: CPU topology from the host, memory in KiB. */
  async connectGetNodeInfo(): Promise<NodeInfo> {
    const cpu = await hostCpu();
    return { model: hostArch(), memory: Math.floor(totalmem() / 1024), cpus: cpus().length, mhz: cpu.mhz, nodes: 1, sockets: cpu.sockets, cores: cpu.cores, threads: cpu.threads };
  }

  async connectGetDomainCapabilities(
    emulatorbin: string | undefined, arch: string | undefined, machine: string | undefined, virttype: string | undefined, flags: number,
  ): Promise<string> {
    checkFlags(flags, 0, 'qemuConnectGetDomainCapabilities');
    const qemu = emulatorbin === undefined ? await this.#capabilities() : await probeBinary(emulatorbin, this.#dirs);
    return formatDomainCapabilities(qemu, { arch, machine, virttype });
  }

  async connectGetVersion(): Promise<number> {
    return qemuVersionNumber(await this.#capabilities());
  }

  connectGetType() { return 'QEMU'; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.#options.uri; }
  connectIsAlive() { return !this.#closed; }

  connectListAllDomains(flags: number): DomainRef[] {
    checkFlags(flags, 0x3fff, 'qemuConnectListAllDomains');
    const has = (f: number) => (flags & f) !== 0;
    const either = (a: number, b: number, isA: boolean) => !has(a | b) || (has(a) && isA) || (has(b) && !isA);
    return [...this.#domains.values()].filter((d) => {
      if (!either(L.ACTIVE, L.INACTIVE, d.active) || !either(L.PERSISTENT, L.TRANSIENT, d.persistent)) return false;
      if (!either(L.AUTOSTART, L.NO_AUTOSTART, d.autostart) || !either(L.MANAGEDSAVE, L.NO_MANAGEDSAVE, d.managedSave)) return false;
      if (has(L.RUNNING | L.PAUSED | L.SHUTOFF | L.OTHER)) {
        const s = d.state;
        const other = s !== DomainState.RUNNING && s !== DomainState.PAUSED && s !== DomainState.SHUTOFF;
        return (has(L.RUNNING) && s === DomainState.RUNNING) || (has(L.PAUSED) && s === DomainState.PAUSED)
          || (has(L.SHUTOFF) && s === DomainState.SHUTOFF) || (has(L.OTHER) && other);
      }
      return !(has(L.HAS_SNAPSHOT) && !has(L.NO_SNAPSHOT)) && !(has(L.HAS_CHECKPOINT) && !has(L.NO_CHECKPOINT));
    });
  }

  connectLookupDomainByName(name: string): DomainRef {
    for (const d of this.#domains.values()) if (d.name === name) return d;
    throw qemuError(ErrorNumber.NO_DOMAIN, `no domain with matching name '${name}'`);
  }

  connectLookupDomainByUUID(uuid: string): DomainRef {
    const d = this.#domains.get(normalizeUuid(uuid) ?? uuid);
    if (!d) throw qemuError(ErrorNumber.NO_DOMAIN, `no domain with matching uuid '${uuid}'`);
    return d;
  }

  connectLookupDomainByID(id: number): DomainRef {
    for (const d of this.#domains.values()) if (d.active && d.id === id) return d;
    throw qemuError(ErrorNumber.NO_DOMAIN, `no domain with matching id ${id}`);
  }

  /** Parse and check a definition as every entry point must, before it touches a path. */
  #parse(xml: string, options: { allowExisting?: boolean } = {}): DomainDef {
    const def = parseDomainXml(xml);
    validateDomainName(def.name);
    fillDomainDefaults(def);
    // Fail at define time, as libvirt's validation does, on what cannot become a command line.
    domainToQemuArgs(def);
    for (const d of this.#domains.values()) {
      if (d.uuid === def.uuid && d.name !== def.name) {
        throw qemuError(ErrorNumber.OPERATION_FAILED, `domain '${d.name}' is already defined with uuid ${def.uuid}`);
      }
      if (d.name === def.name && d.uuid !== def.uuid && !options.allowExisting) {
        throw qemuError(ErrorNumber.OPERATION_FAILED, `domain '${def.name}' already exists with uuid ${d.uuid}`);
      }
    }
    return def;
  }

  async connectDefineDomainXML(xml: string, flags: number): Promise<DomainRef> {
    checkFlags(flags, 1, 'qemuDomainDefineXMLFlags');
    const def = this.#parse(xml);
    const existing = this.#domains.get(def.uuid);
    await this.#configs.save(def);
    if (!existing) {
      const d = this.#newDomain(def, true);
      this.#domains.set(d.uuid, d);
      this.#events.lifecycle(d, DomainEventType.DEFINED, EventDetail.DEFINED_ADDED);
      return d;
    }
    existing.persistent = true;
    if (existing.active) existing.newDef = def;
    else existing.def = def;
    this.#events.lifecycle(existing, DomainEventType.DEFINED, EventDetail.DEFINED_UPDATED);
    return existing;
  }

  async connectCreateDomainXML(xml: string, flags: number): Promise<DomainRef> {
    checkFlags(flags, DomainCreateFlags.START_PAUSED | DomainCreateFlags.START_VALIDATE, 'qemuDomainCreateXML');
    const def = this.#parse(xml);
    const existing = this.#domains.get(def.uuid);
    if (existing?.active) throw qemuError(ErrorNumber.OPERATION_INVALID, `domain '${def.name}' is already active`);
    const d = existing ?? this.#newDomain(def, false);
    if (existing) {
      existing.newDef = existing.def;
      existing.def = def;
    }
    this.#domains.set(d.uuid, d);
    try {
      await this.#start(d, flags, 'virDomainCreateXML');
    } catch (e) {
      if (!existing) this.#domains.delete(d.uuid);
      else if (existing.newDef) { existing.def = existing.newDef; existing.newDef = null; }
      throw e;
    }
    return d;
  }

  async domainCreate(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, DomainCreateFlags.START_PAUSED, 'qemuDomainCreateWithFlags');
    await this.#start(this.#dom(ref), flags, 'virDomainCreate');
  }

  async #start(d: QemuDomain, flags: number, api: string): Promise<void> {
    await d.job.run(api, async () => {
      if (d.active) throw alreadyRunning();
      const paused = (flags & DomainCreateFlags.START_PAUSED) !== 0;
      if (d.managedSave) {
        // A managed save is resumed instead of a fresh boot, and consumed.
        const image = this.#managedSavePath(d);
        await this.#restore(d, image, (await readSaveHeader(image)).offset, paused);
        await fs.rm(image, { force: true });
        d.managedSave = false;
        return;
      }
      await this.#launch(d, paused);
      this.#events.lifecycle(d, DomainEventType.STARTED, EventDetail.STARTED_BOOTED);
      if (paused) this.#events.lifecycle(d, DomainEventType.SUSPENDED, EventDetail.SUSPENDED_PAUSED);
    });
  }

  /**
   * Exec QEMU for a domain (vCPUs stopped), set it up and let it run unless
   * `paused`. `incoming` feeds it a saved state first. A failure leaves no QEMU behind.
   */
  async #launch(d: QemuDomain, paused: boolean, incoming?: (running: RunningQemu) => Promise<void>): Promise<void> {
    await checkDiskSources(d.def.devices);
    const args = domainToQemuArgs(d.def, { paused: true });
    // From here the live definition changes on its own (aliases, hot-plug): keep the persistent one apart.
    if (d.persistent && !d.newDef) d.newDef = cloneDef(d.def);
    if (incoming) args.push('-incoming', 'defer');
    assignAliases(d.def);
    const logFile = path.join(this.#dirs.logDir, `${d.name}.log`);
    let proc: QemuProcess;
    try {
      proc = await QemuProcess.start({ binary: emulatorOf(d.def) ?? this.#options.binary, args, runDir: this.#dirs.runDir, name: d.name, logFile });
    } catch (e) {
      if (e instanceof QemuStartError) throw internalError(`process exited while connecting to monitor: ${e.log.trim() || e.message}`);
      throw internalError((e as Error).message);
    }
    const running = RunningQemu.spawned(proc);
    d.id = this.#nextId++;
    d.starting = true;
    d.state = DomainState.PAUSED;
    d.reason = DomainPausedReason.USER;
    this.#watch(d, running);
    try {
      await incoming?.(running);
      await recordPtyPaths(running.qmp, d.def);
      await applyVcpuPins(running, d.def);
      if (!paused) await running.qmp.execute('cont');
      d.state = paused ? DomainState.PAUSED : DomainState.RUNNING;
      d.reason = paused ? DomainPausedReason.USER : incoming ? DomainRunningReason.RESTORED : DomainRunningReason.BOOTED;
      await this.#saveState(d);
    } catch (e) {
      d.stopReason = DomainShutoffReason.FAILED;
      await running.stop();
      await d.afterExit;
      throw fromMonitorError(e);
    } finally {
      d.starting = false;
    }
  }

  #managedSavePath(d: QemuDomain): string {
    return path.join(this.#dirs.saveDir, `${d.name}.save`);
  }

  /** Start `d` from a save file, with the RESTORED reason and events. */
  async #restore(d: QemuDomain, file: string, offset: number, paused: boolean): Promise<void> {
    const socket = path.join(this.#dirs.runDir, `${d.name}.incoming`);
    await this.#launch(d, paused, (r) => restoreFromFile(r.qmp, socket, file, offset));
    this.#events.lifecycle(d, DomainEventType.STARTED, EventDetail.STARTED_RESTORED);
    if (paused) this.#events.lifecycle(d, DomainEventType.SUSPENDED, EventDetail.SUSPENDED_PAUSED);
  }

  /** Pause, stream the state to `file`, and stop QEMU: the domain is shut off (saved). */
  async #saveTo(d: QemuDomain, file: string, api: string): Promise<void> {
    await d.job.run(api, async () => {
      const running = this.#running(d);
      if (d.state === DomainState.RUNNING) await viaMonitor(running.qmp.execute('stop'));
      const socket = path.join(this.#dirs.runDir, `${d.name}.migrate`);
      const xml = formatDomainXml(d.def, { inactive: true });
      await viaMonitor(saveToFile(running.qmp, socket, file, xml));
      d.stopReason = DomainShutoffReason.SAVED;
      await running.stop();
      await d.afterExit;
    });
  }

  async domainSave(ref: DomainRef, to: string, dxml: string | undefined, flags: number): Promise<void> {
    checkFlags(flags, 0, 'qemuDomainSaveFlags');
    if (dxml !== undefined) throw qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, 'changing the domain XML of a save image is not supported');
    await this.#saveTo(this.#dom(ref), path.resolve(to), 'virDomainSave');
  }

  async connectRestoreDomain(from: string, dxml: string | undefined, flags: number): Promise<void> {
    checkFlags(flags, DomainSaveRestoreFlags.RUNNING | DomainSaveRestoreFlags.PAUSED, 'qemuDomainRestoreFlags');
    if (dxml !== undefined) throw qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, 'changing the domain XML of a save image is not supported');
    const file = path.resolve(from);
    const header = await readSaveHeader(file);
    const def = this.#parse(header.xml, { allowExisting: true });
    let d = this.#domains.get(def.uuid);
    const added = !d;
    if (!d) {
      d = this.#newDomain(def, false);
      this.#domains.set(d.uuid, d);
    }
    const dom = d;
    try {
      await dom.job.run('virDomainRestore', async () => {
        if (dom.active) throw qemuError(ErrorNumber.OPERATION_INVALID, `domain '${dom.name}' is already active`);
        dom.def = def;
        await this.#restore(dom, file, header.offset, (flags & DomainSaveRestoreFlags.PAUSED) !== 0);
      });
    } catch (e) {
      if (added) this.#domains.delete(dom.uuid);
      throw e;
    }
  }

  async domainManagedSave(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, DomainSaveRestoreFlags.RUNNING | DomainSaveRestoreFlags.PAUSED, 'qemuDomainManagedSave');
    const d = this.#dom(ref);
    if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot do managed save for transient domain');
    await fs.mkdir(this.#dirs.saveDir, { recursive: true, mode: 0o700 });
    await this.#saveTo(d, this.#managedSavePath(d), 'virDomainManagedSave');
    d.managedSave = true;
  }

  domainHasManagedSaveImage(ref: DomainRef, flags: number): boolean {
    checkFlags(flags, 0, 'qemuDomainHasManagedSaveImage');
    return this.#dom(ref).managedSave;
  }

  async domainManagedSaveRemove(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'qemuDomainManagedSaveRemove');
    const d = this.#dom(ref);
    await fs.rm(this.#managedSavePath(d), { force: true });
    d.managedSave = false;
  }

  async domainUndefine(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0x7f, 'qemuDomainUndefineFlags');
    const d = this.#dom(ref);
    if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot undefine transient domain');
    if (d.managedSave && !(flags & DomainUndefineFlags.MANAGED_SAVE)) {
      throw qemuError(ErrorNumber.OPERATION_INVALID, 'Refusing to undefine while domain managed save image exists');
    }
    await Promise.all([this.#configs.remove(d.name), fs.rm(this.#managedSavePath(d), { force: true })]);
    d.autostart = false;
    d.managedSave = false;
    if (d.active) {
      d.persistent = false;
      d.newDef = null;
    } else {
      this.#domains.delete(d.uuid);
      await removeDomainState(this.#dirs.runDir, d.name);
    }
    this.#events.lifecycle(d, DomainEventType.UNDEFINED, EventDetail.UNDEFINED_REMOVED);
  }

  async domainDestroy(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 1, 'qemuDomainDestroyFlags');
    const d = this.#dom(ref);
    // Destroy does not queue behind a stuck job: it is how a user gets out of one.
    const running = this.#running(d);
    d.stopReason = DomainShutoffReason.DESTROYED;
    await running.stop();
    await d.afterExit;
  }

  async domainShutdown(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'qemuDomainShutdownFlags');
    const d = this.#dom(ref);
    await this.#monitorJob(d, 'virDomainShutdown', async (r) => {
      d.shutdownRequested = true;
      await this.#saveState(d);
      await r.qmp.execute('system_powerdown');
    });
  }

  /**
   * Reboot through the ACPI power button, as libvirt's "fake reboot": QEMU is
   * told to pause rather than exit at the guest's power-off, then it is reset and
   * resumed (#finishReboot). Like libvirt, the call returns once the button is pressed.
   */
  async domainReboot(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, DomainRebootFlags.ACPI_POWER_BTN, 'qemuDomainReboot');
    const d = this.#dom(ref);
    await this.#monitorJob(d, 'virDomainReboot', async (r) => {
      if (d.def.onReboot === 'destroy') {
        d.shutdownRequested = true;
      } else {
        await r.qmp.execute('set-action', { shutdown: 'pause' });
        d.rebootRequested = true;
      }
      await this.#saveState(d);
      await r.qmp.execute('system_powerdown');
    });
  }

  /** The guest has powered off for a reboot and QEMU paused: reset it, restore the exit action, run it. */
  async #finishReboot(d: QemuDomain, running: RunningQemu): Promise<void> {
    d.rebootRequested = false;
    d.starting = true;
    try {
      await running.qmp.execute('system_reset');
      await running.qmp.execute('set-action', { shutdown: 'poweroff' });
      await running.qmp.execute('cont');
    } finally {
      d.starting = false;
    }
    d.state = DomainState.RUNNING;
    d.reason = DomainRunningReason.BOOTED;
    await this.#saveState(d);
  }

  async domainReset(ref: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'qemuDomainReset');
    await this.#monitorJob(this.#dom(ref), 'virDomainReset', (r) => r.qmp.execute('system_reset'));
  }

  async domainSuspend(ref: DomainRef): Promise<void> {
    const d = this.#dom(ref);
    await this.#monitorJob(d, 'virDomainSuspend', async (r) => {
      if (d.state === DomainState.PAUSED) return;
      await r.qmp.execute('stop');
    });
  }

  async domainResume(ref: DomainRef): Promise<void> {
    const d = this.#dom(ref);
    await this.#monitorJob(d, 'virDomainResume', async (r) => {
      if (d.state !== DomainState.PAUSED) throw qemuError(ErrorNumber.OPERATION_INVALID, 'domain is not paused');
      await r.qmp.execute('cont');
    });
  }

  /** A job on a running domain's monitor, its QMP failures reported as libvirt does. */
  async #monitorJob<T>(d: QemuDomain, api: string, work: (r: RunningQemu) => Promise<T>): Promise<T> {
    return d.job.run(api, async () => {
      const running = this.#running(d);
      try {
        return await work(running);
      } catch (e) {
        throw fromMonitorError(e);
      }
    });
  }

  async domainGetInfo(ref: DomainRef): Promise<DomainInfo> {
    const d = this.#dom(ref);
    const cpuTime = d.running ? await processCpuTimeNs(d.running.pid) : 0;
    return {
      state: d.state as DomainInfo['state'], maxMem: d.def.memory, memory: d.def.currentMemory,
      nrVirtCpu: d.def.vcpu.current ?? d.def.vcpu.max, cpuTime,
    };
  }

  /** A running guest's console pty as a stream; one at a time per pty, as libvirt's console locking allows. */
  domainOpenConsole(ref: DomainRef, devname: string | undefined, flags: number): Duplex {
    checkFlags(flags, DomainConsoleFlags.FORCE | DomainConsoleFlags.SAFE, 'qemuDomainOpenConsole');
    const d = this.#dom(ref);
    if (!d.active) throw notRunning();
    const path = consolePtyPath(d.def, devname);
    const open = this.#consoles.get(path);
    if (open) {
      if (!(flags & DomainConsoleFlags.FORCE)) throw qemuError(ErrorNumber.OPERATION_FAILED, 'Active console session exists for this domain');
      open.destroy();
    }
    const stream = openPtyStream(path);
    this.#consoles.set(path, stream);
    stream.once('close', () => {
      if (this.#consoles.get(path) === stream) this.#consoles.delete(path);
    });
    return stream;
  }

  domainGetState(ref: DomainRef, flags: number): DomainStateInfo {
    checkFlags(flags, 0, 'qemuDomainGetState');
    const d = this.#dom(ref);
    return { state: d.state as DomainStateInfo['state'], reason: d.reason };
  }

  domainGetXMLDesc(ref: DomainRef, flags: number): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.UPDATE_CPU | DomainXMLFlags.MIGRATABLE, 'qemuDomainGetXMLDesc');
    const d = this.#dom(ref);
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.persistentDef, { inactive: true });
    return formatDomainXml(d.def, { id: d.active ? d.id : undefined });
  }

  domainGetOSType(ref: DomainRef) { return this.#dom(ref).def.os.type; }
  domainIsActive(ref: DomainRef) { return this.#dom(ref).active; }
  domainIsPersistent(ref: DomainRef) { return this.#dom(ref).persistent; }
  domainGetAutostart(ref: DomainRef) { return this.#dom(ref).autostart; }

  async domainSetAutostart(ref: DomainRef, autostart: boolean): Promise<void> {
    const d = this.#dom(ref);
    if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot set autostart for transient domain');
    await this.#configs.setAutostart(d.name, autostart);
    d.autostart = autostart;
  }

  async domainAttachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> {
    await this.#changeDevice(ref, xml, flags, 'attach');
  }

  async domainDetachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> {
    await this.#changeDevice(ref, xml, flags, 'detach');
  }

  async domainUpdateDevice(ref: DomainRef, xml: string, flags: number): Promise<void> {
    await this.#changeDevice(ref, xml, flags, 'update');
  }

  /** attach/detach/update-device: the live domain over QMP and/or the persistent config, as flags say. */
  async #changeDevice(ref: DomainRef, xml: string, flags: number, change: DeviceChange): Promise<void> {
    checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG | DeviceModify.FORCE, `qemuDomain${change[0].toUpperCase()}${change.slice(1)}DeviceFlags`);
    const d = this.#dom(ref);
    const api = `virDomain${change[0].toUpperCase()}${change.slice(1)}DeviceFlags`;
    await d.job.run(api, async () => {
      const { live, config } = this.#impact(d, flags);
      if (config) await this.#updateConfig(d, (def) => applyConfigDeviceChange(def, parseDeviceXml(xml), change));
      if (!live) return;
      const dev = parseDeviceXml(xml);
      const { qmp } = this.#running(d);
      try {
        if (dev.kind === 'disk') {
          if (change === 'attach') {
            await checkDiskSources([dev]);
            await hotplugDisk(qmp, d.def, dev);
          } else if (change === 'detach') await unplugDisk(qmp, d.def, dev.target.dev);
          else await changeMedia(qmp, d.def, dev);
        } else if (dev.kind === 'interface' && change !== 'update') {
          if (change === 'attach') await hotplugInterface(qmp, d.def, fillDeviceDefaults(dev));
          else await unplugInterface(qmp, d.def, dev.mac);
        } else {
          throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `live ${change} of device '${dev.kind === 'other' ? dev.element.name : dev.kind}' is not supported`);
        }
      } catch (e) {
        throw fromMonitorError(e);
      }
      await this.#saveState(d);
    });
  }

  /** Which definitions a --live/--config/--current change affects; errors as libvirt's virDomainObjUpdateModificationImpact. */
  #impact(d: QemuDomain, flags: number): { live: boolean; config: boolean } {
    const explicit = flags & (DeviceModify.LIVE | DeviceModify.CONFIG);
    const live = explicit ? (flags & DeviceModify.LIVE) !== 0 : d.active;
    const config = explicit ? (flags & DeviceModify.CONFIG) !== 0 : !d.active;
    if (live && !d.active) throw qemuError(ErrorNumber.OPERATION_INVALID, 'domain is not running');
    if (config && !d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'transient domains do not have any persistent config');
    return { live, config };
  }

  /** Change the persistent definition (a copy when the domain runs) and write it. */
  async #updateConfig(d: QemuDomain, change: (def: DomainDef) => void): Promise<void> {
    const next = cloneDef(d.persistentDef);
    change(next);
    await this.#configs.save(next);
    if (d.active) d.newDef = next;
    else d.def = next;
  }

  async domainSetMemory(ref: DomainRef, memory: number, flags: number): Promise<void> {
    checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainSetMemoryFlags');
    const d = this.#dom(ref);
    await d.job.run('virDomainSetMemoryFlags', async () => {
      const { live, config } = this.#impact(d, flags);
      if (memory > (live ? d.def : d.persistentDef).memory) throw qemuError(ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');
      if (live) {
        // The balloon's target, in bytes; the guest's driver gives the memory back.
        await viaMonitor(this.#running(d).qmp.execute('balloon', { value: memory * 1024 }));
        d.def.currentMemory = memory;
        await this.#saveState(d);
      }
      if (config) await this.#updateConfig(d, (def) => { def.currentMemory = memory; });
    });
  }

  async domainGetVcpus(ref: DomainRef): Promise<VcpuInfo[]> {
    const d = this.#dom(ref);
    return viaMonitor(queryVcpus(this.#running(d)));
  }

  async domainPinVcpu(ref: DomainRef, vcpu: number, cpus: number[], flags: number): Promise<void> {
    checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainPinVcpuFlags');
    const d = this.#dom(ref);
    const hostCpus = availableParallelism();
    const bad = cpus.find((c) => !Number.isInteger(c) || c < 0 || c >= hostCpus);
    if (bad !== undefined || cpus.length === 0) throw qemuError(ErrorNumber.INVALID_ARG, `invalid cpumap: CPU ${bad ?? 'list'} is not available on this host`);
    await d.job.run('virDomainPinVcpuFlags', async () => {
      const { live, config } = this.#impact(d, flags);
      const max = (live ? d.def : d.persistentDef).vcpu.max;
      if (vcpu < 0 || vcpu >= max) throw qemuError(ErrorNumber.INVALID_ARG, `vcpu ${vcpu} is out of range of live cpu count ${max}`);
      if (live) {
        await viaMonitor(pinVcpuThread(this.#running(d), vcpu, cpus));
        setVcpuPin(d.def, vcpu, cpus);
        await this.#saveState(d);
      }
      if (config) await this.#updateConfig(d, (def) => setVcpuPin(def, vcpu, cpus));
    });
  }

  domainGetVcpuPinInfo(ref: DomainRef, flags: number): VcpuPin[] {
    checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainGetVcpuPinInfo');
    const d = this.#dom(ref);
    const def = (flags & DeviceModify.CONFIG) || !d.active ? d.persistentDef : d.def;
    const pins = new Map(vcpuPins(def).map((p) => [p.vcpu, p.cpus]));
    // An unpinned vCPU may run on every host CPU.
    const all = Array.from({ length: availableParallelism() }, (_, i) => i);
    return Array.from({ length: def.vcpu.max }, (_, vcpu) => ({ vcpu, cpus: pins.get(vcpu) ?? all }));
  }

  async domainBlockStats(ref: DomainRef, disk: string): Promise<DomainBlockStats> {
    const d = this.#dom(ref);
    return viaMonitor(blockStats(this.#running(d), d.def, disk));
  }

  async domainInterfaceStats(ref: DomainRef, device: string): Promise<DomainInterfaceStats> {
    const d = this.#dom(ref);
    if (!d.active) throw notRunning();
    return tapInterfaceStats(findInterface(d.def, device));
  }

  connectDomainXMLToNative(nativeFormat: string, domainXml: string, flags: number): string {
    checkFlags(flags, 0, 'qemuConnectDomainXMLToNative');
    if (nativeFormat !== QEMU_ARGV) throw qemuError(ErrorNumber.INVALID_ARG, `unsupported config type ${nativeFormat}`);
    const def = parseDomainXml(domainXml);
    validateDomainName(def.name);
    fillDomainDefaults(def);
    return formatQemuArgv(emulatorOf(def) ?? this.#options.binary, domainToQemuArgs(def));
  }

  connectDomainEventRegister(listener: DomainEventSink): number {
    return this.#events.add(listener);
  }

  connectDomainEventDeregister(callbackId: number): void {
    if (!this.#events.remove(callbackId)) {
      throw qemuError(ErrorNumber.INVALID_ARG, `could not find event callback ${callbackId} for deregistration`);
    }
  }
}

/** A deep copy of a definition, through its XML: what a persistent definition is. */
const cloneDef = (def: DomainDef): DomainDef => parseDomainXml(formatDomainXml(def, { inactive: true }));

const fileExists = (file: string) => fs.access(file).then(() => true, () => false);

/** Every disk image must exist before QEMU is started: libvirt's wording when one does not. */
async function checkDiskSources(devices: DeviceDef[]): Promise<void> {
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
