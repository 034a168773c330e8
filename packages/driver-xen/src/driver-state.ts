// The state behind a xen:///system connection: the domains (persistent definitions
// from the config folder, running ones as xl lists them), the xl toolstack it drives,
// what xl said about the host when the connection opened, and the event listeners.

import { DomainEventStoppedDetailType as Stopped, DomainEventType as Ev, DomainShutoffReason, DomainState, ErrorDomain } from '@tsvirt/core';
import { DomainConfigStore, DomainEvents, DomainTable, checkDomainName, type DomainRef } from '@tsvirt/core/driver';
import type { DomainDef } from '@tsvirt/core/xml';
import { readLiveDef, removeLiveDef } from './domain-state-file.js';
import { parseXenDomainXml } from './native-format.js';
import { XenDomain } from './xen-domain.js';
import type { XenDirs } from './xen-dirs.js';
import { noHypervisor } from './xen-errors.js';
import { XlFailure, runXl, type XlOptions, type XlResult } from './xl/xl-command.js';
import { parseXlInfo, type XlHostInfo } from './xl/xl-info.js';
import { parseXlList, parseXlListLong, type XlDomain } from './xl/xl-list.js';
import { foreignDomainXml } from './foreign-domain.js';

export interface XenConnectionOptions {
  uri: string;
  dirs: XenDirs;
  xl: XlOptions;
  /** where the host's /sys and /proc are found (block and interface statistics); '/' on a Xen host */
  sysRoot?: string;
  /** xenstored's socket, for events without polling; none: xl is asked before every query */
  xenstoreSocket?: string;
}

/** The host facts, or why no hypervisor answers (the connection then serves conversions only). */
export type HostProbe = { info: XlHostInfo } | { absent: string };

export class XenDriverState {
  readonly domains = new DomainTable<XenDomain>(ErrorDomain.LIBXL, 'libxl', 'bare');
  readonly events = new DomainEvents();
  readonly configs: DomainConfigStore;
  closed = false;
  /** whether xl's list may have changed since the last sync (always, without a xenstore watch) */
  stale = true;
  /** set while a xenstore watch tells this state of every change */
  watched = false;
  #syncing: Promise<void> | null = null;

  constructor(readonly options: XenConnectionOptions, readonly probe: HostProbe) {
    this.configs = new DomainConfigStore(options.dirs.configDir);
  }

  /** Ask xl about the host: a hypervisor that xl cannot reach is not an error here, it is a fact. */
  static async probeHost(xl: XlOptions): Promise<HostProbe> {
    try {
      return { info: parseXlInfo((await runXl(xl, ['info'])).stdout) };
    } catch (e) {
      if (e instanceof XlFailure) return { absent: e.detail };
      throw e;
    }
  }

  get dirs(): XenDirs {
    return this.options.dirs;
  }

  /** The host facts; on a host without a hypervisor, libvirt's error for a call that needs one. */
  host(): XlHostInfo {
    if ('absent' in this.probe) throw noHypervisor(this.options.xl.binary, this.probe.absent);
    return this.probe.info;
  }

  /** Run xl for a call that needs the hypervisor. */
  xl(args: readonly string[], input?: string): Promise<XlResult> {
    this.host();
    return runXl(this.options.xl, args, input);
  }

  /** Load the persistent definitions; then learn what runs. */
  async load(): Promise<void> {
    for (const { def, autostart } of await this.configs.loadAll()) {
      try {
        checkDomainName(def.name, ErrorDomain.LIBXL);
        this.domains.existingFor(def);
      } catch (e) {
        process.stderr.write(`tsvirt: Failed to load config for domain ${def.name}: ${(e as Error).message}\n`);
        continue;
      }
      const d = new XenDomain(def, true);
      d.autostart = autostart;
      this.domains.add(d);
    }
    // a failing xl list is reported by the queries that need it, not by the open
    if ('info' in this.probe) await this.sync().catch(() => { this.stale = true; });
  }

  /** The domain a reference names, with xl's view of it brought up to date first. */
  async dom(ref: DomainRef): Promise<XenDomain> {
    await this.fresh();
    return this.domains.of(ref);
  }

  /** Bring the table up to date with xl when it may have changed. */
  async fresh(): Promise<void> {
    if (!('info' in this.probe)) return;
    if (this.stale || !this.watched) await this.sync();
  }

  /** Ask xl what runs and bring the table in line: domains that appeared, changed state or went away. */
  sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        this.stale = false;
        const running = parseXlList((await this.xl(['list', '-v'])).stdout).filter((x) => x.id !== 0);
        await this.#apply(running);
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  async #apply(running: XlDomain[]): Promise<void> {
    const seen = new Set<XenDomain>();
    for (const x of running) {
      let d = this.domains.findUuid(x.uuid);
      if (!d) d = await this.#adopt(x);
      if (!d) continue;
      seen.add(d);
      if (x.crashed) d.crashed = true;
      if (d.id !== x.id) d.setRunning(x.id, d.reason);
      const paused = x.paused;
      if (paused && d.state !== DomainState.PAUSED) d.setPaused();
      if (!paused && d.state === DomainState.PAUSED) d.state = DomainState.RUNNING;
    }
    for (const d of [...this.domains.all()]) {
      if (d.active && !seen.has(d)) await this.stopped(d, d.crashed ? DomainShutoffReason.CRASHED : DomainShutoffReason.SHUTDOWN);
    }
  }

  /** A domain xl runs that this table does not know: started by another connection or by xl itself. */
  async #adopt(x: XlDomain): Promise<XenDomain | undefined> {
    let def: DomainDef | undefined = await readLiveDef(this.dirs.runDir, x.name);
    if (def && def.uuid !== x.uuid) def = undefined;
    if (!def) {
      try {
        def = parseXenDomainXml(foreignDomainXml(parseXlListLong((await this.xl(['list', '-l', String(x.id)])).stdout)));
      } catch {
        return undefined; // gone meanwhile, or nothing xl can describe
      }
    }
    if (this.domains.findName(def.name)) return undefined; // a name clash with a defined domain: not ours to show
    const d = new XenDomain(def, false);
    d.setRunning(x.id);
    this.domains.add(d);
    return d;
  }

  /** A domain went away (or was stopped by this connection): its state, files and event. */
  async stopped(d: XenDomain, reason: number, detail?: number): Promise<void> {
    const ref = d.ref();
    d.setShutoff(reason);
    d.shutdownRequested = false;
    d.crashed = false;
    await removeLiveDef(this.dirs.runDir, d.name);
    const eventDetail = detail ?? (reason === DomainShutoffReason.CRASHED ? Stopped.CRASHED : Stopped.SHUTDOWN);
    this.events.lifecycle({ ...ref, id: -1 }, Ev.STOPPED, eventDetail);
    if (!d.persistent) this.domains.remove(d);
  }
}

