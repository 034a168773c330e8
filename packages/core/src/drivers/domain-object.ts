import {
  DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState,
} from '../gen/api.gen.js';
import type { DomainRef } from '../gen/driver.gen.js';
import type { DomainDef } from '../xml/domain/domain-def.js';
import { DomainMessages } from './domain-messages.js';

/**
 * A driver's record of one domain: its live and persistent definitions and libvirt's
 * state machine (state, reason, id). It is also the DomainRef that core hands to
 * applications, so `dom.id` follows the domain as it starts and stops. Drivers extend it
 * with what their hypervisor needs.
 */
export class DomainObject implements DomainRef {
  id = -1;
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
