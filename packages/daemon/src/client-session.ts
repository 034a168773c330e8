import { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { ConnectEntry, toVirError, invalidArgument, invalidConnection, unsupported, type DomainEventData } from '@tsvirt/core/driver';
import {
  ConnectionProcedure, FrameDecoder, Keepalive, KeepaliveProcedure, keepaliveFrame, MessageStatus, MessageType, Program, ProgramVersion,
  decodeJsonBody, encodeFrame, encodeJsonFrame, errorBodyOf, eventProcedures, plainDomainRef, relayStream, type Frame, type FrameHeader,
  type OpenCallBody, type StreamLink,
} from '@tsvirt/core/protocol';
import type { DaemonLimits } from './daemon-limits.js';
import type { ClientAccess } from './network-access.js';
import { uriToOpen } from './uri-policy.js';
import { callArgs, callEntry, procedureFor } from './entry-dispatch.js';
import type { DriverPool, EventSubscriber, SharedConnection } from './driver-pool.js';

/** The driver's connection, shared with the other clients, and this client's own public connection over it. */
interface OpenConnection {
  shared: SharedConnection;
  entry: ConnectEntry;
}

const NOTHING = new Uint8Array(0);

const eventProcOf = new Map(eventProcedures.map((e) => [e.kind, e.proc]));

const notOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection not open');
const alreadyOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection already open');

/**
 * One client of the daemon: reads its frames, serves its calls, forwards the events it
 * asked for, and drops it on the first byte that breaks the protocol. Its pace is its
 * own: while it has the most calls in flight that it may, or has not read what was last
 * sent to it, its socket is not read (the frames already read wait in the decoder), and
 * a client whose unread replies and events pass the limit is dropped.
 */
export class ClientSession {
  readonly #decoder: FrameDecoder;
  #inFlight = 0;
  /** The last write filled the socket's buffer: no call is served until it drains. */
  #congested = false;
  /** Frames are being taken from the decoder (a reply given at once must not start another loop). */
  #pumping = false;
  #conn: Promise<OpenConnection> | null = null;
  /** The same, once open. */
  #ready: OpenConnection | null = null;
  readonly #subscriptions = new Map<number, EventSubscriber>();
  #nextCallbackId = 0;
  #closed = false;
  readonly #keepalive: Keepalive;
  /** Streams the client opened (a guest console), by the serial of the call that opened each. */
  readonly #streams = new Map<number, StreamLink>();

  constructor(
    private readonly stream: Duplex,
    private readonly access: ClientAccess,
    private readonly pool: DriverPool,
    private readonly limits: DaemonLimits,
    private readonly nodeFileDirs: readonly string[],
    private readonly onClose: (session: ClientSession) => void,
    /** who the client is, for the log */
    private readonly peer: string,
  ) {
    this.#decoder = new FrameDecoder({ maxMessage: limits.maxMessage });
    // A client gone without a word (a host that vanished from the network) is noticed and dropped.
    this.#keepalive = new Keepalive({
      intervalMs: limits.keepaliveInterval * 1000,
      count: limits.keepaliveCount,
      ping: () => this.#write(keepaliveFrame(KeepaliveProcedure.PING)),
      dead: () => this.close(),
    });
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.on('drain', () => {
      this.#congested = false;
      this.#pump();
    });
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
    stream.on('end', () => this.close());
  }

  /** Drop the client; `flush`: after what was written to it has left. */
  close(flush = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#keepalive.stop();
    this.#unsubscribeAll();
    for (const link of this.#streams.values()) link.abort(VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'client went away'));
    this.#streams.clear();
    if (flush) {
      this.stream.end();
      setTimeout(() => this.stream.destroy(), 5000).unref();
    } else {
      this.stream.destroy();
    }
    this.onClose(this);
  }

  #receive(chunk: Buffer): void {
    this.#keepalive.heard();
    this.#pump(chunk);
  }

  /** Nothing more is served while the last write waits, the calls in flight are at the limit, or the open call is under way. */
  get #blocked(): boolean {
    return this.#congested || this.#inFlight >= this.limits.maxRequestsPerClient || (this.#conn !== null && this.#ready === null);
  }

  /** Serve the frames read so far until the client is blocked, then read its socket again or not. */
  #pump(chunk: Uint8Array = NOTHING): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    try {
      const frames = this.#decoder.push(chunk);
      if (!this.#blocked) {
        for (const frame of frames) {
          this.#handle(frame);
          if (this.#blocked || this.#closed) break;
        }
      }
    } catch {
      this.close();
    } finally {
      this.#pumping = false;
    }
    if (this.#closed) return;
    if (this.#blocked) this.stream.pause();
    else this.stream.resume();
  }

  #handle({ header, body }: Frame): void {
    if (header.program === Program.KEEPALIVE) {
      if (header.procedure !== KeepaliveProcedure.PING && header.procedure !== KeepaliveProcedure.PONG) this.close();
      else if (header.procedure === KeepaliveProcedure.PING) this.#write(keepaliveFrame(KeepaliveProcedure.PONG));
      return;
    }
    if (header.program === Program.TSVIRT && header.type === MessageType.STREAM) {
      // Data, end or failure for a stream it opened; a stream already gone may still get a frame or two.
      this.#streams.get(header.serial)?.receive(header.status, body);
      return;
    }
    // Otherwise a client sends calls only; libvirt's own program (XDR) is not served yet.
    if (header.program !== Program.TSVIRT || header.type !== MessageType.CALL || header.status !== MessageStatus.OK) {
      this.close();
      return;
    }
    if (this.access.refusal) {
      // Told why, then dropped once the reply has left.
      this.#write(encodeJsonFrame({ ...header, type: MessageType.REPLY, status: MessageStatus.ERROR }, errorBodyOf(this.access.refusal)));
      this.close(true);
      return;
    }
    this.#inFlight++;
    // A call answered at once is replied to at once, without a turn through promises.
    let result: unknown;
    try {
      result = this.#serve(header.procedure, body);
    } catch (e) {
      this.#fail(header, e);
      return;
    }
    if (result instanceof Promise) result.then((value) => this.#answer(header, value), (e) => this.#fail(header, e));
    else this.#answer(header, result);
  }

  #answer(call: FrameHeader, value: unknown): void {
    // A call that opens a stream is answered with nothing; the stream's frames follow the reply.
    if (value instanceof Duplex) {
      this.#reply(call, MessageStatus.OK, undefined);
      this.#relay(call, value);
    } else {
      this.#reply(call, MessageStatus.OK, value);
    }
  }

  #fail(call: FrameHeader, e: unknown): void {
    this.#reply(call, MessageStatus.ERROR, errorBodyOf(toVirError(e, ErrorDomain.RPC)));
  }

  #relay(call: FrameHeader, local: Duplex): void {
    if (this.#closed) {
      local.destroy();
      return;
    }
    const link = relayStream(local, (status, body) => this.#write(encodeFrame({ ...call, type: MessageType.STREAM, status }, body, this.limits.maxMessage)), this.stream);
    this.#streams.set(call.serial, link);
    local.once('close', () => this.#streams.delete(call.serial));
  }

  /** A call's value, or a promise of it. */
  #serve(proc: number, body: Buffer): unknown {
    const value = decodeJsonBody(body, this.limits.maxMessage);
    if (proc === ConnectionProcedure.OPEN) return this.#open(value as OpenCallBody);
    const p = procedureFor(proc);
    if (this.#ready === null) throw notOpen();
    const { shared, entry } = this.#ready;
    const args = callArgs(p, value);
    // What the client holds rather than the driver: its event registrations, and the
    // connection, which it may close while the driver's stays open for the others.
    switch (p.driverName) {
      case 'connectClose':
        if (entry.closed) throw invalidConnection(p.c);
        entry.closed = true;
        this.#unsubscribeAll();
        return undefined;
      case 'connectDomainEventRegister':
        if (entry.closed) throw invalidConnection(p.c);
        return this.#subscribe(shared, p.c);
      case 'connectDomainEventDeregister':
        if (entry.closed) throw invalidConnection(p.c);
        if (!Number.isSafeInteger(args[0])) throw invalidArgument('callbackID', p.c, 'an integer', ErrorDomain.NONE);
        return this.#unsubscribe(shared, args[0] as number);
    }
    return callEntry(entry, p, args);
  }

  async #open(body: OpenCallBody): Promise<void> {
    if (this.#conn !== null) throw alreadyOpen();
    if (typeof body?.uri !== 'string') throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'the open call needs {uri, readOnly}');
    const readOnly = this.access.readOnly || body.readOnly === true;
    // Calls that follow wait, unread, until it is open (#blocked).
    this.#conn = uriToOpen(body.uri, this.access.trusted, this.nodeFileDirs).then((uri) => this.pool.get(uri)).then((shared) => ({ shared, entry: new ConnectEntry(shared.driver, readOnly) }));
    try {
      this.#ready = await this.#conn;
    } catch (e) {
      this.#conn = null;
      throw e;
    }
  }

  async #subscribe(conn: SharedConnection, fn: string): Promise<number> {
    if (!conn.driver.connectDomainEventRegister) throw unsupported(fn, ErrorDomain.NONE);
    if (this.#subscriptions.size >= this.limits.maxEventCallbacks) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.RPC, `too many event callbacks on this connection: the limit is ${this.limits.maxEventCallbacks}`);
    }
    const callbackId = this.#nextCallbackId++;
    const subscriber = (event: DomainEventData) => this.#sendEvent(callbackId, event);
    this.#subscriptions.set(callbackId, subscriber);
    await this.pool.subscribe(conn, subscriber);
    return callbackId;
  }

  #unsubscribe(conn: SharedConnection, callbackId: number): void {
    const subscriber = this.#subscriptions.get(callbackId);
    if (!subscriber) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, `callback ID ${callbackId} not registered`);
    this.#subscriptions.delete(callbackId);
    this.pool.unsubscribe(conn, subscriber);
  }

  #unsubscribeAll(): void {
    const conn = this.#conn;
    const subscribers = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    if (conn && subscribers.length) void conn.then(({ shared }) => subscribers.forEach((s) => this.pool.unsubscribe(shared, s)), () => undefined);
  }

  #sendEvent(callbackId: number, event: DomainEventData): void {
    const proc = eventProcOf.get(event.kind);
    if (proc === undefined) return;
    const { kind: _, domain, ...fields } = event;
    this.#send({ program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure: proc, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK },
      { callbackId, domain: plainDomainRef(domain), ...fields });
  }

  /** The reply to a call, as one frame; a value too large to send becomes an error reply. */
  #reply(call: FrameHeader, status: MessageStatus, value: unknown): void {
    const header = { ...call, type: MessageType.REPLY, status };
    try {
      this.#send(header, value);
    } catch (e) {
      this.#send({ ...header, status: MessageStatus.ERROR }, errorBodyOf(toVirError(e, ErrorDomain.RPC)));
    }
    this.#inFlight--;
    this.#pump();
  }

  /** A frame with a JSON body, encoded into one buffer and written at once. */
  #send(header: FrameHeader, value: unknown): void {
    if (!this.#closed) this.#write(encodeJsonFrame(header, value, this.limits.maxMessage));
  }

  /**
   * One frame to the client, unless what it has not read is already past the limit:
   * then it is dropped, as a client that does not keep up with its own calls and events.
   */
  #write(frame: Uint8Array): void {
    if (this.#closed) return;
    const unread = this.stream.writableLength;
    if (unread > this.limits.maxQueuedBytes) {
      process.stderr.write(`tsvirtd: dropped ${this.peer}: ${unread} bytes of replies and events unread, above the limit of ${this.limits.maxQueuedBytes}\n`);
      this.close();
      return;
    }
    if (!this.stream.write(frame)) this.#congested = true;
  }
}
