import {
  DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState,
} from '../gen/api.gen.js';
import type { DomainRef } from '../gen/driver.gen.js';
import type { DomainDef } from '../xml/domain/domain-def.js';
import { DomainMessages } from './domain-messages.js';
import { modificationImpact } from './modification-impact.js';

/** The definitions a change touches: the running one (live), the persistent one (config), or both. */
export interface AffectedDefs {
  live: DomainDef | null;
  config: DomainDef | null;
}

/**
 * A driver's record of one domain (libvirt's virDomainObj): its live and persistent
 * definitions and libvirt's state machine (state, reason, id). Applications never get
 * it: they get references, which are values (ref()). Drivers extend it with what their
 * hypervisor needs.
 */
export class DomainObject {
  #id = -1;
  /** told when the id changes (the domain table's id index) */
  #idWatcher: ((oldId: number) => void) | null = null;
  state: number = DomainState.SHUTOFF;
  reason: number = DomainShutoffReason.UNKNOWN;
  autostart = false;
  /** a managed-save image waits for the next start */
  managedSave = false;
  /** the persistent definition for the next start, when it differs from the live one */
  newDef: DomainDef | null = null;
  /** taints and deprecations recorded for the domain, reported by virDomainGetMessages */
  readonly messages = new DomainMessages();

  constructor(public def: DomainDef, public persistent: boolean) {}

  get id(): number {
    return this.#id;
  }

  set id(id: number) {
    const old = this.#id;
    this.#id = id;
    if (old !== id) this.#idWatcher?.(old);
  }

  /** Follow the id's changes (one watcher: the table that holds the domain). */
  watchId(watcher: ((oldId: number) => void) | null): void {
    this.#idWatcher = watcher;
  }

  /** The reference handed to applications: a value, which does not follow the domain. */
  ref(): DomainRef {
    return { name: this.def.name, uuid: this.def.uuid, id: this.#id };
  }

  /**
   * A call made through `ref` has started or stopped the domain: that reference takes
   * the domain's id now, as libvirt updates the virDomainPtr a call was given. Other
   * references keep the id they were handed out with.
   */
  updateHandle(ref: DomainRef): void {
    if (!Object.isFrozen(ref)) (ref as { id: number }).id = this.#id;
  }

  /** whether the domain has snapshots (drivers that keep them say so) */
  get hasSnapshots(): boolean {
    return false;
  }

  get name(): string {
    return this.def.name;
  }

  get uuid(): string {
    return this.def.uuid;
  }

  get active(): boolean {
    return this.id !== -1;
  }

  /** The definition that survives a stop. */
  get persistentDef(): DomainDef {
    return this.newDef ?? this.def;
  }

  /** The persistent definition, split from the live one first when the domain runs, so that changing it leaves the live one alone. */
  editablePersistentDef(): DomainDef {
    if (!this.active) return this.def;
    this.newDef ??= structuredClone(this.def);
    return this.newDef;
  }

  /**
   * The definitions a LIVE/CONFIG/CURRENT request names (modificationImpact). For a
   * change, the persistent definition of a running domain is split from the live one
   * first, so that a change to one does not reach the other.
   */
  affectedDefs(flags: number, forChange = true): AffectedDefs {
    const { live, config } = modificationImpact(this, flags);
    if (forChange && live && this.persistent) this.editablePersistentDef();
    const persistent = config ? (forChange ? this.editablePersistentDef() : this.persistentDef) : null;
    return { live: live ? this.def : null, config: persistent };
  }

  setRunning(id: number, reason: number = DomainRunningReason.BOOTED): void {
    this.id = id;
    this.state = DomainState.RUNNING;
    this.reason = reason;
  }

  setPaused(reason: number = DomainPausedReason.USER): void {
    this.state = DomainState.PAUSED;
    this.reason = reason;
  }

  /** Stop: the live definition gives way to the persistent one. */
  setShutoff(reason: number): void {
    this.id = -1;
    this.state = DomainState.SHUTOFF;
    this.reason = reason;
    if (this.newDef) {
      this.def = this.newDef;
      this.newDef = null;
    }
  }
}
