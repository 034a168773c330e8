import type { DomainEventType } from '../gen/api.gen.js';
import type { DomainEventData, DomainEventFilterData, DomainEventSink, DomainRef } from '../gen/driver.gen.js';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

/** Whether an event passes a filter (virConnectDomainEventRegisterAny's domain, by UUID, and event id); all pass an empty one. */
export const eventMatches = (filter: DomainEventFilterData | undefined, event: DomainEventData): boolean =>
  filter === undefined
  || ((filter.domain === undefined || filter.domain.uuid === event.domain.uuid) && (filter.type === undefined || filter.type === event.kind));

/** libvirt's error for an id that names no listener (virObjectEventCallbackListRemoveID). */
export const noEventCallback = (id: number): VirError =>
  VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `could not find event callback ${id} for deletion`);

interface Registration {
  readonly sink: DomainEventSink;
  readonly filter: DomainEventFilterData | undefined;
}

/**
 * The domain event listeners of a driver's state, and libvirt's one delivery rule:
 * an event is queued when it happens and delivered from the event loop once the call
 * that caused it has returned, in order, to the listeners registered when it happened
 * and still registered then; the domain in it is a snapshot taken when it happened;
 * each listener hears only what its filter lets through, and a listener's failure is
 * its own.
 */
export class DomainEvents {
  readonly #listeners = new Map<number, Registration>();
  #nextId = 1;
  /** events waiting for delivery, each with the first listener id registered after it happened */
  #queue: { event: DomainEventData; before: number }[] = [];

  get size(): number {
    return this.#listeners.size;
  }

  register(sink: DomainEventSink, filter?: DomainEventFilterData): number {
    const id = this.#nextId++;
    this.#listeners.set(id, { sink, filter });
    return id;
  }

  deregister(id: number): void {
    if (!this.#listeners.delete(id)) throw noEventCallback(id);
  }

  lifecycle(domain: DomainRef, event: DomainEventType, detail: number): void {
    this.raise({ kind: 'lifecycle', domain, event, detail });
  }

  reboot(domain: DomainRef): void {
    this.raise({ kind: 'reboot', domain });
  }

  /** Any event, as the driver observed it; its domain is a snapshot taken now. */
  raise(event: DomainEventData): void {
    if (this.#listeners.size !== 0) this.#enqueue({ ...event, domain: snapshot(event.domain) });
  }

  #enqueue(event: DomainEventData): void {
    if (this.#queue.push({ event, before: this.#nextId }) === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const { event, before } of queued) {
      for (const [id, { sink, filter }] of this.#listeners) {
        // a listener hears what happened after it registered, and nothing once it is gone
        if (id >= before || !eventMatches(filter, event)) continue;
        try { sink(event); } catch { /* the other listeners still hear it */ }
      }
    }
  }
}

const snapshot = (d: DomainRef): DomainRef => ({ name: d.name, uuid: d.uuid, id: d.id });
