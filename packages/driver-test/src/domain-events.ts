import { ErrorDomain, ErrorNumber, VirError, type DomainEventSink, type DomainRef } from '@tsvirt/core';

/**
 * The event listeners of a connection. Events are delivered after the call that caused
 * them has returned, from the event loop, as libvirt delivers them.
 */
export class DomainEventSinks {
  private readonly sinks = new Map<number, DomainEventSink>();
  private nextId = 1;

  register(sink: DomainEventSink): number {
    const id = this.nextId++;
    this.sinks.set(id, sink);
    return id;
  }

  deregister(id: number): void {
    if (!this.sinks.delete(id)) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, `could not find event callback ${id} for deletion`);
    }
  }

  lifecycle(domain: DomainRef, event: number, detail: number): void {
    if (this.sinks.size === 0) return;
    // a snapshot of the reference: the domain may change before delivery
    const ref = { name: domain.name, uuid: domain.uuid, id: domain.id };
    const sinks = [...this.sinks.values()];
    setImmediate(() => {
      for (const s of sinks) s({ kind: 'lifecycle', domain: ref, event: event as never, detail });
    });
  }
}
