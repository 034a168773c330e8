// Domain events from a XenAPI host without polling the VMs: event.from blocks on the
// host until something changes, and each VM change is turned into libvirt's
// lifecycle events by comparing its power state with the one seen before. It runs
// only while listeners are registered.

import {
  DomainEventDefinedDetailType as Defined, DomainEventResumedDetailType as Resumed, DomainEventStartedDetailType as Started,
  DomainEventStoppedDetailType as Stopped, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev, DomainEventUndefinedDetailType as Undefined,
} from '@tsvirt/core';
import { XenApiFailure } from './xenapi-errors.js';
import type { XenApiState } from './xenapi-state.js';
import { domainRefOf, isDomain, vmRecordOf, type VmRecord } from './xenapi-vm.js';
import { XenFloat } from './xenapi-xmlrpc.js';

/** How long one event.from waits on the host, in seconds; the call's own timeout is longer. */
const WAIT_SECONDS = 30;
/** Events one event.from may return before the rest is left for the next call. */
const MAX_EVENTS = 10_000;

interface XenEvent {
  class: string;
  operation: string;
  ref: string;
  snapshot?: unknown;
}

export class XenApiEventWatch {
  readonly #s: XenApiState;
  readonly #known = new Map<string, VmRecord>();
  #running = false;
  /** which start the running loop belongs to: a loop left from before a stop ends by itself */
  #generation = 0;
  #token = '';
  /** abandons the long poll under way when the watch stops */
  #abort = new AbortController();

  constructor(state: XenApiState) {
    this.#s = state;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Start watching; resolves once the starting point is taken, so that nothing after it is missed. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    this.#abort = new AbortController();
    await this.#resync().catch(() => undefined); // the loop tries again
    void this.#loop(generation);
  }

  stop(): void {
    this.#running = false;
    this.#token = '';
    this.#abort.abort();
  }

  async #loop(generation: number): Promise<void> {
    let pause = 100;
    const current = () => this.#running && generation === this.#generation && !this.#s.closed;
    while (current()) {
      try {
        if (!this.#token) await this.#resync();
        const reply = await this.#s.client.call('event.from', [['vm'], this.#token, new XenFloat(WAIT_SECONDS)], (WAIT_SECONDS + 15) * 1000, this.#abort.signal);
        if (!current()) return;
        this.#take(reply);
        pause = 100;
      } catch (e) {
        // events lost on the host's side: start again from what the VMs are now
        if (e instanceof XenApiFailure && e.xenapiName === 'EVENTS_LOST') this.#token = '';
        // a host that is away is tried again, a little later each time
        if (!current()) return;
        await new Promise((r) => setTimeout(r, pause).unref());
        pause = Math.min(pause * 2, 5000);
      }
    }
  }

  /** The current token and every VM's state as the starting point. */
  async #resync(): Promise<void> {
    const first = (await this.#s.client.call('event.from', [['vm'], '', new XenFloat(0)])) as { token?: unknown };
    this.#token = typeof first?.token === 'string' ? first.token.slice(0, 1024) : '';
    this.#known.clear();
    for (const vm of await this.#s.allVms()) this.#known.set(vm.ref, vm);
  }

  #take(reply: unknown): void {
    const r = reply as { events?: unknown; token?: unknown };
    if (typeof r?.token !== 'string' || !Array.isArray(r.events)) throw new Error('event.from: not an event batch');
    this.#token = r.token.slice(0, 1024);
    for (const e of r.events.slice(0, MAX_EVENTS) as XenEvent[]) {
      if (typeof e?.class !== 'string' || e.class.toLowerCase() !== 'vm' || typeof e.ref !== 'string') continue;
      this.#vmChanged(e);
    }
  }

  #vmChanged(e: XenEvent): void {
    const before = this.#known.get(e.ref);
    if (e.operation === 'del') {
      this.#known.delete(e.ref);
      if (before && isDomain(before)) this.#s.events.lifecycle(domainRefOf(before), Ev.UNDEFINED, Undefined.REMOVED);
      return;
    }
    let now: VmRecord;
    try {
      now = vmRecordOf(e.ref, e.snapshot);
    } catch {
      return; // a snapshot that is not a VM record: nothing to say about it
    }
    this.#known.set(e.ref, now);
    if (!isDomain(now)) return;
    const d = domainRefOf(now);
    if (!before) {
      this.#s.events.lifecycle(d, Ev.DEFINED, Defined.ADDED);
      if (now.powerState !== 'Halted') this.#s.events.lifecycle(d, Ev.STARTED, Started.BOOTED);
      return;
    }
    if (before.powerState === now.powerState) return;
    const was = before.powerState;
    switch (now.powerState) {
      case 'Running':
        if (was === 'Paused') this.#s.events.lifecycle(d, Ev.RESUMED, Resumed.UNPAUSED);
        else this.#s.events.lifecycle(d, Ev.STARTED, was === 'Suspended' ? Started.RESTORED : Started.BOOTED);
        break;
      case 'Paused':
        if (was !== 'Running') this.#s.events.lifecycle(d, Ev.STARTED, Started.BOOTED);
        this.#s.events.lifecycle(d, Ev.SUSPENDED, Suspended.PAUSED);
        break;
      case 'Halted': {
        const detail = this.#s.expectedStop.get(now.uuid) ?? Stopped.SHUTDOWN;
        this.#s.expectedStop.delete(now.uuid);
        if (was !== 'Suspended') this.#s.events.lifecycle(d, Ev.STOPPED, detail);
        break;
      }
      case 'Suspended':
        this.#s.events.lifecycle(d, Ev.STOPPED, Stopped.SAVED);
        break;
    }
  }
}
