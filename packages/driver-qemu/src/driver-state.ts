// The state behind qemu:/// connections: the domains of one instance (system or
// session), their persistent configs, event listeners and open consoles, and the
// helpers that every feature file (lifecycle, save, devices, ...) shares.

import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import { DomainEvents, DomainTable, type DomainRef, DomainConfigStore } from '@tsvirt/core/driver';
import { formatDomainXml, parseDomainXml, type DomainDef } from '@tsvirt/core/xml';
import { fillDomainDefaults } from './domain-defaults.js';
import { DomainJob } from './domain-job.js';
import { writeDomainState } from './domain-state-file.js';
import { validateDomainName } from './domain-name.js';
import { SnapshotStore } from './snapshot-store.js';
import { probeBinary } from './host-capabilities.js';
import type { QemuCapabilities } from './qemu-capabilities.js';
import type { QemuDirs } from './qemu-dirs.js';
import { FileOwnership } from './dac-ownership.js';
import { checkSeclabel, type QemuSecurity } from './dac-seclabel.js';
import type { QemuUser } from './qemu-process.js';
import { QemuDomain } from './qemu-domain.js';
import { fromMonitorError, notRunning, qemuError } from './qemu-errors.js';
import type { RunningQemu } from './running-qemu.js';
import { nativeOptionsFor } from './native-options.js';
import { domainToQemuArgs } from './xml-to-native.js';
import type { NetworkDriver } from './network/network-driver.js';

export interface QemuConnectionOptions {
  uri: string;
  dirs: QemuDirs;
  /** the QEMU binary for definitions without an <emulator> */
  binary: string;
  /** how long a job waits for the domain's previous job (default 30 s) */
  jobWaitMs?: number;
  /** run QEMU as another user and chown its files to it (qemu:///system as root); none: as the caller */
  security?: QemuSecurity;
}

export class QemuDriverState {
  readonly domains = new DomainTable<QemuDomain>(ErrorDomain.QEMU, 'qemu');
  readonly events = new DomainEvents();
  readonly configs: DomainConfigStore;
  readonly snapshotStore: SnapshotStore;
  /** files given to QEMU's user while guests run */
  readonly owners: FileOwnership;
  /** Console streams open now, by pty. */
  readonly consoles = new Map<string, Duplex>();
  /** the network driver (root only): the bridges guests' taps join */
  network?: NetworkDriver;
  nextId = 1;
  closed = false;
  #qemuCaps: Promise<QemuCapabilities> | undefined;

  constructor(readonly options: QemuConnectionOptions) {
    this.configs = new DomainConfigStore(options.dirs.configDir);
    this.snapshotStore = new SnapshotStore(options.dirs.configDir);
    this.owners = new FileOwnership(options.dirs.runDir);
  }

  /** The user QEMU runs as by default (qemu.conf's), none when it runs as the caller. */
  get qemuUser(): QemuUser | undefined {
    const sec = this.options.security;
    return sec && { uid: sec.label.uid, gid: sec.label.gid, initGroups: sec.initGroups };
  }

  /** Who owns the taps made for guests: the user QEMU runs as. */
  get tapOwner(): { uid: number; gid: number } {
    return this.qemuUser ?? { uid: process.getuid!(), gid: process.getgid!() };
  }

  get dirs(): QemuDirs {
    return this.options.dirs;
  }

  newDomain(def: DomainDef, persistent: boolean): QemuDomain {
    return new QemuDomain(def, persistent, new DomainJob(this.options.jobWaitMs, path.join(this.dirs.runDir, `${def.name}.lock`)));
  }

  /** The domain a reference names. */
  dom(ref: DomainRef): QemuDomain {
    return this.domains.of(ref);
  }

  /** The QEMU of a running domain whose monitor this connection holds. */
  running(d: QemuDomain): RunningQemu {
    if (!d.active) throw notRunning();
    if (!d.running) throw qemuError(ErrorNumber.OPERATION_FAILED, `the monitor of domain '${d.name}' is held by another connection`);
    return d.running;
  }

  /** A job on a running domain's monitor, its QMP failures reported as libvirt does. */
  async monitorJob<T>(d: QemuDomain, api: string, work: (r: RunningQemu) => Promise<T>): Promise<T> {
    return d.job.run(api, async () => {
      const running = this.running(d);
      try {
        return await work(running);
      } catch (e) {
        throw fromMonitorError(e);
      }
    });
  }

  /** Record the live state of a running domain, for the next connection that finds it. */
  async saveState(d: QemuDomain): Promise<void> {
    if (!d.running) return;
    await writeDomainState(this.dirs.runDir, {
      id: d.id, pid: d.running.pid, monitorPath: d.running.monitorPath, state: d.state, reason: d.reason,
      shutdownRequested: d.shutdownRequested, rebootRequested: d.rebootRequested, def: d.def,
    });
  }

  /** Change the persistent definition (a copy when the domain runs) and write it. */
  async updateConfig(d: QemuDomain, change: (def: DomainDef) => void): Promise<void> {
    const next = cloneDef(d.persistentDef);
    change(next);
    await this.configs.save(next);
    if (d.active) d.newDef = next;
    else d.def = next;
  }

  /**
   * Parse and check a definition as every entry point must, before it touches a path,
   * with libvirt's defaults and addresses filled in. `fresh`: a new definition (define,
   * create), not one coming back from a save image.
   */
  async parseDefinition(xml: string, options: { allowOtherUuid?: boolean; fresh?: boolean } = {}): Promise<DomainDef> {
    const def = parseDomainXml(xml);
    validateDomainName(def.name);
    checkSeclabel(def);
    const caps = await this.capabilities();
    fillDomainDefaults(def, caps, { emulator: caps.binary, fresh: options.fresh ?? true });
    // Fail at define time, as libvirt's validation does, on what cannot become a command line.
    domainToQemuArgs(def, nativeOptionsFor(this.dirs, def.uuid));
    this.domains.existingFor(def, options);
    return def;
  }

  managedSavePath(d: QemuDomain): string {
    return path.join(this.dirs.saveDir, `${d.name}.save`);
  }

  /** The default binary's capabilities, probed once per connection (and cached on disk per binary). */
  capabilities(): Promise<QemuCapabilities> {
    this.#qemuCaps ??= probeBinary(this.options.binary, this.dirs, this.qemuUser);
    this.#qemuCaps.catch(() => { this.#qemuCaps = undefined; });
    return this.#qemuCaps;
  }
}

/** A deep copy of a definition, through its XML: what a persistent definition is. */
export const cloneDef = (def: DomainDef): DomainDef => parseDomainXml(formatDomainXml(def, { inactive: true, secure: true }));
