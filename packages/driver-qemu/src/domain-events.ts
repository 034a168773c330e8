// Domain lifecycle events: libvirt's detail numbers, and the listeners of a connection.

import type { DomainEventData, DomainEventSink, DomainEventType, DomainRef } from '@tsvirt/core';

/** virDomainEvent*DetailType values used by this driver. */
export const EventDetail = {
  DEFINED_ADDED: 0,
  DEFINED_UPDATED: 1,
  UNDEFINED_REMOVED: 0,
  STARTED_BOOTED: 0,
  STARTED_RESTORED: 2,
  SUSPENDED_PAUSED: 0,
  RESUMED_UNPAUSED: 0,
  STOPPED_SHUTDOWN: 0,
  STOPPED_DESTROYED: 1,
  STOPPED_CRASHED: 2,
  STOPPED_SAVED: 4,
  STOPPED_FAILED: 5,
  SHUTDOWN_FINISHED: 0,
  CRASHED_PANICKED: 0,
} as const;

export class DomainEventSinks {
  readonly #sinks = new Map<number, DomainEventSink>();
  #nextId = 1;

  add(sink: DomainEventSink): number {
    const id = this.#nextId++;
    this.#sinks.set(id, sink);
    return id;
  }

  /** False when no listener has that id. */
  remove(id: number): boolean {
    return this.#sinks.delete(id);
  }

  lifecycle(domain: DomainRef, event: DomainEventType, detail: number): void {
    this.#emit({ kind: 'lifecycle', domain, event, detail });
  }

  reboot(domain: DomainRef): void {
    this.#emit({ kind: 'reboot', domain });
  }

  #emit(event: DomainEventData): void {
    for (const sink of this.#sinks.values()) {
      // A listener's failure is its own: the others still hear the event.
      try { sink(event); } catch { /* ignored */ }
    }
  }
}
