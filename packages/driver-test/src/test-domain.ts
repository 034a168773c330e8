import {
  DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState,
  type DomainDef, type DomainRef,
} from '@tsvirt/core';

/**
 * One domain of a test connection. It is also the DomainRef that core hands to
 * applications, so `dom.id` follows the domain as it starts and stops.
 */
export class TestDomain implements DomainRef {
  id = -1;
  state: number = DomainState.SHUTOFF;
  reason: number = DomainShutoffReason.UNKNOWN;
  autostart = false;
  managedSave = false;
  /** the persistent definition to take effect at the next start, when it differs from the live one */
  newDef: DomainDef | null = null;

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
