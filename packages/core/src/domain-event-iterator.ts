import { ConnectCloseReason, type ConnectCloseCallback, type DomainEvent, type DomainEventFilter, type DomainEventListener, type DomainEventsOptions } from './gen/api.gen.js';
import { ErrorDomain, ErrorNumber } from './gen/errors.gen.js';
import { VirError, toVirError } from './errors/vir-error.js';

/** How many events may wait for a consumer when the caller does not say. */
export const DEFAULT_MAX_QUEUED = 1024;

type Register = (listener: DomainEventListener, filter: DomainEventFilter) => Promise<number>;
type Deregister = (id: number) => Promise<void>;

/** The connection an iterator belongs to: whether it is closed, and its close callbacks, to end with it. */
interface IteratedConnection {
  readonly closed: boolean;
  registerCloseCallback?(callback: ConnectCloseCallback): Promise<void>;
  unregisterCloseCallback?(callback: ConnectCloseCallback): Promise<void>;
}

/** The error that ends an iterator whose consumer fell behind by more than its bound. */
export const eventQueueOverflow = (max: number): VirError =>
  VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.EVENT, `more than ${max} events waited for the iterator: it has ended, later events were not kept`);

/**
 * Events as an async iterator over an ordinary registration (the callback form), so
 * that both see the same events and filters. The registration is made on creation and
 * removed when the iteration ends: `break`, `return()`, the signal, the application
 * closing the connection, an overflow, or a failed registration. A lost link to a daemon
 * does not end it: the connection reconnects and registers again, and the events resume.
 *
 * Memory is bounded: at most `maxQueued` events wait for the consumer. One more ends
 * the iteration: the registration goes at once, the waiting events are still read, then
 * `next()` rejects with a VirError (VIR_ERR_OPERATION_FAILED, VIR_FROM_EVENT). Nothing
 * is dropped silently: a consumer that sees it knows it missed events and can look
 * again (list the domains) before iterating anew.
 */
export function domainEventIterator(
  conn: IteratedConnection, register: Register, deregister: Deregister, options: DomainEventsOptions = {},
): AsyncIterableIterator<DomainEvent> {
  return new DomainEventIteration(conn, register, deregister, options);
}

interface Waiter {
  resolve(result: IteratorResult<DomainEvent>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<DomainEvent> = { value: undefined, done: true };

class DomainEventIteration implements AsyncIterableIterator<DomainEvent> {
  readonly #queued: DomainEvent[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #max: number;
  readonly #signal: AbortSignal | undefined;
  #ended = false;
  /** the reason the iteration ended badly, given to the first next() after the queue */
  #error: unknown = null;
  /** the registration's id once made (null when there is none), and its removal once asked */
  #registration: Promise<number | null>;
  #removal: Promise<void> = Promise.resolve();
  /** settled once the iteration has ended and its registration is gone */
  #finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: IteratedConnection, register: Register, private readonly deregister: Deregister, options: DomainEventsOptions,
  ) {
    const { signal, maxQueued = DEFAULT_MAX_QUEUED, domain, type } = options ?? {};
    this.#max = maxQueued;
    this.#signal = signal;
    if (typeof options !== 'object' || options === null) {
      this.#registration = this.#refuse('options', 'an object');
    } else if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
      this.#registration = this.#refuse('maxQueued', 'a positive integer');
    } else if (signal !== undefined && !(signal instanceof AbortSignal)) {
      this.#registration = this.#refuse('signal', 'an AbortSignal');
    } else if (signal?.aborted) {
      this.#ended = true;
      this.#registration = Promise.resolve(null);
    } else {
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      conn.registerCloseCallback?.(this.#onClose).catch(() => undefined);
      const filter: DomainEventFilter = {};
      if (domain !== undefined) filter.domain = domain;
      if (type !== undefined) filter.type = type;
      this.#registration = register((event) => this.#push(event), filter).then(
        (id) => {
          if (!this.#ended) return id;
          this.#undo(id);
          return null;
        },
        (e: unknown) => {
          this.#fail(toVirError(e, ErrorDomain.DOMAIN));
          return null;
        },
      );
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<DomainEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<DomainEvent>> {
    if (this.#queued.length) return { value: this.#queued.shift()!, done: false };
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      throw error;
    }
    if (this.conn.closed) this.#end();
    if (this.#ended) {
      await this.#finished;
      return DONE;
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<DomainEvent>> {
    this.#queued.length = 0;
    this.#error = null;
    this.#end();
    await this.#finished;
    return DONE;
  }

  #push(event: DomainEvent): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value: event, done: false });
    else if (this.#queued.length < this.#max) this.#queued.push(event);
    else this.#fail(eventQueueOverflow(this.#max));
  }

  readonly #onClose = (reason: ConnectCloseReason): void => {
    if (reason === ConnectCloseReason.CLIENT) this.#end();
  };

  readonly #onAbort = (): void => {
    this.#queued.length = 0;
    this.#end();
  };

  #refuse(arg: string, expected: string): Promise<number | null> {
    this.#registration = Promise.resolve(null);
    this.#fail(VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN, `${arg} in events must be ${expected}`));
    return this.#registration;
  }

  /** End with an error: the queued events are still read, then next() rejects with it once. */
  #fail(error: unknown): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.reject(error);
    else this.#error = error;
    this.#end();
  }

  /** Stop: the registration is removed, then waiting next() calls see the end. */
  #end(): void {
    if (this.#ended && this.#waiters.length === 0) return;
    this.#ended = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (!this.conn.closed) this.conn.unregisterCloseCallback?.(this.#onClose).catch(() => undefined);
    this.#finished = this.#registration.then((id) => {
      if (id !== null) this.#undo(id);
      return this.#removal;
    });
    for (const waiter of this.#waiters.splice(0)) void this.#finished.then(() => waiter.resolve(DONE));
  }

  /** Remove the registration; on a connection already closed there is nothing left to remove. */
  #undo(id: number): void {
    this.#registration = Promise.resolve(null);
    if (!this.conn.closed) this.#removal = this.deregister(id).catch(() => undefined);
  }
}
