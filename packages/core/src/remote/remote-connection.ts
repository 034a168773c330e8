import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainEventFilterData, DomainEventSink } from '../gen/driver.gen.js';
import { eventMatches } from '../drivers/domain-events.js';
import { CloseCallbacks } from '../drivers/close-callbacks.js';
import { ConnectCloseReason } from '../gen/api.gen.js';
import type { OpenOptions } from '../drivers/driver.js';
import type { ConnectUri } from '../uri/connect-uri.js';
import { CLIENT_KEEPALIVE, RpcChannel } from './rpc-channel.js';
import { socketClosedError } from './remote-protocol.js';
import { Feature, remoteProgram } from './remote-wire-program.js';
import { RemoteProcedure } from '../gen/remote-program.gen.js';
import { connectTransport } from './transports/connect-transport.js';
import { farSideUri } from './transports/far-side-uri.js';
import { isUnknownProgram, tsvirtProgram, type ReceivedEvent, type WireProgram } from './wire-program.js';

const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 2000;

/** A whole number of seconds or pings from the URI (tsvirt's keepalive_interval and keepalive_count), else the default. */
function uriCount(uri: ConnectUri, param: string, fallback: number): number {
  const text = uri.query.get(param);
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text)) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `${param} must be a whole number, not '${text}'`);
  return Number(text);
}

type Keepalive = NonNullable<OpenOptions['keepalive']>;

/** Which program the URI asks for (tsvirt's `program` parameter): either one, or null to find out. */
function programOf(uri: ConnectUri): WireProgram | null {
  const name = uri.query.get('program');
  if (name === undefined || name === 'auto') return null;
  const program = [tsvirtProgram, remoteProgram].find((p) => p.name === name);
  if (program === undefined) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `program must be tsvirt, remote or auto, not '${name}'`);
  return program;
}

/** Keepalive as the caller asks, else as the URI says, else as virsh sets it; an interval of 0 turns it off. */
function keepaliveOf(uri: ConnectUri, asked: Keepalive | undefined): { intervalMs: number; count: number } {
  if (asked && ![asked.interval, asked.count].every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, 'keepalive interval and count must be whole numbers');
  }
  return {
    intervalMs: (asked?.interval ?? uriCount(uri, 'keepalive_interval', CLIENT_KEEPALIVE.intervalMs / 1000)) * 1000,
    count: asked?.count ?? uriCount(uri, 'keepalive_count', CLIENT_KEEPALIVE.count),
  };
}

/**
 * A client's connection to a daemon: tsvirtd (either program) or libvirtd (libvirt's
 * REMOTE program). Unless the URI names the program, the first link finds it out: tsvirt's
 * open call goes first, and a daemon that answers that it does not serve tsvirt's program
 * gets libvirt's on the same link; reconnects keep what was found. Calls made while the
 * link is down fail with libvirt's error; meanwhile it reconnects in the background and,
 * once back, registers its event listeners again, so that events resume under the same
 * callback ids.
 */
export class RemoteConnection {
  #channel: RpcChannel | null = null;
  /** Event listeners by the id given to the caller, which survives reconnects. */
  readonly #sinks = new Map<number, DomainEventSink>();
  /** The daemon's callback ids on the current link → the caller's id (one each per event kind, in libvirt's program). */
  readonly #localIdOf = new Map<number, number>();
  #nextLocalId = 1;
  /** told of every loss of the link (then reconnected) and of close() */
  readonly closeCallbacks = new CloseCallbacks(ErrorDomain.REMOTE);
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryDelay = RECONNECT_FIRST_MS;
  /** the current link's transport, and how many calls and streams are under way on it */
  #transport: Duplex | null = null;
  #busy = 0;
  /** the program the daemon speaks, once known */
  #program: WireProgram | null;
  /** what the daemon's driver answered about typed-parameter strings, asked once when first needed */
  #typedParamStrings: Promise<boolean> | null = null;

  private constructor(private readonly uri: ConnectUri, private readonly readOnly: boolean, private readonly keepalive?: Keepalive) {
    this.#program = programOf(uri);
  }

  /** The program the connection speaks (known once open). */
  get program(): WireProgram {
    return this.#program ?? tsvirtProgram;
  }

  static async open(uri: ConnectUri, readOnly: boolean, keepalive?: Keepalive): Promise<RemoteConnection> {
    const conn = new RemoteConnection(uri, readOnly, keepalive);
    await conn.#connect();
    return conn;
  }

  /** Whether the daemon's driver takes strings among typed parameters (libvirt's program). */
  typedParamStrings(): Promise<boolean> {
    this.#typedParamStrings ??= this.call(RemoteProcedure.CONNECT_SUPPORTS_FEATURE, { feature: Feature.TYPED_PARAM_STRING })
      .then((r) => (r as { supported: number }).supported === 1)
      .catch((e: unknown) => {
        this.#typedParamStrings = null;
        throw e;
      });
    return this.#typedParamStrings;
  }

  get alive(): boolean {
    return this.#channel !== null && !this.#channel.closed;
  }

  call(proc: number, args: unknown): Promise<unknown> {
    const channel = this.#channel;
    if (this.#closed || channel === null || channel.closed) return Promise.reject(socketClosedError());
    this.#hold(1);
    return channel.call(proc, args, this.#release);
  }

  /** A stream holds the process alive from its call until it closes. */
  async openStream(proc: number, args: unknown[]): Promise<Duplex> {
    const channel = this.#channel;
    if (this.#closed || channel === null || channel.closed) throw socketClosedError();
    this.#hold(1);
    try {
      const stream = await channel.openStream(proc, args);
      stream.once('close', () => this.#hold(-1));
      return stream;
    } catch (e) {
      this.#hold(-1);
      throw e;
    }
  }

  /**
   * Whether the link keeps the process alive: only while a call or a stream is under
   * way or an event listener is registered, so that a script that forgets to close an
   * idle connection still ends (the keepalive and reconnect timers never hold it).
   */
  readonly #release = () => this.#hold(-1);

  #hold(delta: number): void {
    this.#busy += delta;
    this.#refreshHold();
  }

  #refreshHold(): void {
    const socket = this.#transport as Partial<Pick<Socket, 'ref' | 'unref'>> | null;
    if (this.#busy > 0 || this.#sinks.size > 0) socket?.ref?.();
    else socket?.unref?.();
  }

  /** A listener for the connection's events, or those its filter lets through (filtered here, on the client's side). */
  async registerEvents(sink: DomainEventSink, filter?: DomainEventFilterData): Promise<number> {
    const channel = this.#channel;
    if (this.#closed || channel === null || channel.closed) throw socketClosedError();
    const localId = this.#nextLocalId++;
    this.#hold(1);
    try {
      for (const id of await this.program.registerEvents(channel)) this.#localIdOf.set(id, localId);
    } finally {
      this.#hold(-1);
    }
    this.#sinks.set(localId, filter === undefined ? sink : (e) => { if (eventMatches(filter, e)) sink(e); });
    this.#refreshHold();
    return localId;
  }

  async deregisterEvents(localId: number): Promise<void> {
    if (!this.#sinks.has(localId)) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `unable to find callback ID ${localId}`);
    }
    const remoteIds = [...this.#localIdOf].filter(([, id]) => id === localId).map(([remoteId]) => remoteId);
    const channel = this.#channel;
    if (remoteIds.length > 0 && channel !== null && !channel.closed) {
      this.#hold(1);
      try {
        await this.program.deregisterEvents(channel, remoteIds);
      } finally {
        this.#hold(-1);
      }
    }
    for (const id of remoteIds) this.#localIdOf.delete(id);
    this.#sinks.delete(localId);
    this.#refreshHold();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const channel = this.#channel;
    if (channel && !channel.closed) {
      this.#hold(1);
      await this.program.close(channel).catch(() => undefined);
      this.#hold(-1);
    }
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    channel?.close();
    this.closeCallbacks.notify(ConnectCloseReason.CLIENT);
  }

  async #connect(): Promise<void> {
    const keepalive = keepaliveOf(this.uri, this.keepalive);
    const stream: Duplex = await connectTransport(this.uri, this.readOnly);
    const channel: RpcChannel = new RpcChannel(stream, {
      onEvent: (event) => this.#deliver(event),
      onClose: (_error, reason) => this.#lost(channel, reason),
    }, keepalive);
    try {
      this.#program = await this.#openSession(channel);
      this.#localIdOf.clear();
      for (const localId of this.#sinks.keys()) {
        for (const id of await this.#program.registerEvents(channel)) this.#localIdOf.set(id, localId);
      }
    } catch (e) {
      channel.close();
      throw e;
    }
    this.#channel = channel;
    this.#transport = stream;
    this.#refreshHold();
    this.#retryDelay = RECONNECT_FIRST_MS;
  }

  /** The far side's session on a fresh link, in the program known or found out now. */
  async #openSession(channel: RpcChannel): Promise<WireProgram> {
    const uri = farSideUri(this.uri);
    const known = this.#program;
    if (known !== null) {
      channel.useProgram(known);
      await known.open(channel, uri, this.readOnly);
      return known;
    }
    try {
      await tsvirtProgram.open(channel, uri, this.readOnly);
      return tsvirtProgram;
    } catch (e) {
      if (!isUnknownProgram(e)) throw e;
    }
    channel.useProgram(remoteProgram);
    await remoteProgram.open(channel, uri, this.readOnly);
    return remoteProgram;
  }

  #deliver({ callbackId, event }: ReceivedEvent): void {
    const localId = this.#localIdOf.get(callbackId);
    const sink = localId === undefined ? undefined : this.#sinks.get(localId);
    sink?.(event);
  }

  #lost(channel: RpcChannel, reason: ConnectCloseReason): void {
    if (this.#closed || channel !== this.#channel) return;
    this.closeCallbacks.notify(reason);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect().catch(() => {
        this.#retryDelay = Math.min(this.#retryDelay * 2, RECONNECT_MAX_MS);
        if (!this.#closed) this.#scheduleReconnect();
      });
    }, this.#retryDelay);
    // Only a caller waiting for events keeps the process alive, not the retries.
    this.#retryTimer.unref();
  }
}
