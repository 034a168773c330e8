import { Duplex } from 'node:stream';
import {
  ConnectEntry, ConnectionProcedure, ErrorDomain, ErrorNumber, FrameDecoder, Keepalive, KeepaliveProcedure, keepaliveFrame, MessageStatus, MessageType, Program, ProgramVersion,
  VirError, decodeJsonBody, encodeFrame, encodeJsonFrame, errorBodyOf, eventProcedures, plainDomainRef, relayStream, toVirError,
  invalidArgument, invalidConnection, unsupported, type DomainEventData, type Frame, type FrameHeader, type OpenCallBody, type StreamLink,
} from '@tsvirt/core';
import type { DaemonLimits } from './daemon-limits.js';
import { callArgs, callEntry, procedureFor } from './entry-dispatch.js';
import type { DriverPool, EventSubscriber, SharedConnection } from './driver-pool.js';

const eventProcOf = new Map(eventProcedures.map((e) => [e.kind, e.proc]));

const notOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection not open');
const alreadyOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection already open');

/**
 * One client of the daemon: reads its frames, serves its calls (several at once, up
 * to the limit, after which its socket is not read), forwards the events it asked
 * for, and drops it on the first byte that breaks the protocol.
 */
export class ClientSession {
  readonly #decoder: FrameDecoder;
  #inFlight = 0;
  /** Calls beyond the in-flight limit, in arrival order. */
  readonly #waiting: Frame[] = [];
  /** The driver's connection, shared with the other clients, and this client's own public connection over it. */
  #conn: Promise<{ shared: SharedConnection; entry: ConnectEntry }> | null = null;
  readonly #subscriptions = new Map<number, EventSubscriber>();
  #nextCallbackId = 0;
  #closed = false;
  readonly #keepalive: Keepalive;
  /** Streams the client opened (a guest console), by the serial of the call that opened each. */
  readonly #streams = new Map<number, StreamLink>();

  constructor(
    private readonly stream: Duplex,
    private readonly readOnly: boolean,
    private readonly pool: DriverPool,
    private readonly limits: DaemonLimits,
    private readonly onClose: (session: ClientSession) => void,
  ) {
    this.#decoder = new FrameDecoder({ maxMessage: limits.maxMessage });
    // A client gone without a word (a host that vanished from the network) is noticed and dropped.
    this.#keepalive = new Keepalive({
      intervalMs: limits.keepaliveInterval * 1000,
      count: limits.keepaliveCount,
      ping: () => { if (!this.#closed) stream.write(keepaliveFrame(KeepaliveProcedure.PING)); },
      dead: () => this.close(),
    });
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
    stream.on('end', () => this.close());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#keepalive.stop();
    this.#unsubscribeAll();
    for (const link of this.#streams.values()) link.abort(VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'client went away'));
    this.#streams.clear();
    this.stream.destroy();
    this.onClose(this);
  }

  #receive(chunk: Buffer): void {
    this.#keepalive.heard();
    try {
      for (const frame of this.#decoder.push(chunk)) this.#handle(frame);
    } catch {
      this.close();
    }
  }

  #handle({ header, body }: Frame): void {
    if (header.program === Program.KEEPALIVE) {
      if (header.procedure !== KeepaliveProcedure.PING && header.procedure !== KeepaliveProcedure.PONG) this.close();
      else if (header.procedure === KeepaliveProcedure.PING) this.stream.write(keepaliveFrame(KeepaliveProcedure.PONG));
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
    if (this.#inFlight >= this.limits.maxRequestsPerClient) {
      // Calls that arrived in the same read wait here; the socket is not read meanwhile.
      this.#waiting.push({ header, body: Buffer.from(body) });
      this.stream.pause();
      return;
    }
    this.#inFlight++;
    this.#serve(header.procedure, body).then(
      (value) => {
        // A call that opens a stream is answered with nothing; the stream's frames follow the reply.
        if (value instanceof Duplex) {
          this.#reply(header, MessageStatus.OK, undefined);
          this.#relay(header, value);
        } else {
          this.#reply(header, MessageStatus.OK, value);
        }
      },
      (e) => this.#reply(header, MessageStatus.ERROR, errorBodyOf(toVirError(e, ErrorDomain.RPC))),
    );
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

  async #serve(proc: number, body: Buffer): Promise<unknown> {
    const value = decodeJsonBody(body, this.limits.maxMessage);
    if (proc === ConnectionProcedure.OPEN) return this.#open(value as OpenCallBody);
    const p = procedureFor(proc);
    if (this.#conn === null) throw notOpen();
    const { shared, entry } = await this.#conn;
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
    const readOnly = this.readOnly || body.readOnly === true;
    this.#conn = this.pool.get(body.uri).then((shared) => ({ shared, entry: new ConnectEntry(shared.driver, readOnly) }));
    try {
      await this.#conn;
    } catch (e) {
      this.#conn = null;
      throw e;
    }
  }

  async #subscribe(conn: SharedConnection, fn: string): Promise<number> {
    if (!conn.driver.connectDomainEventRegister) throw unsupported(fn, ErrorDomain.NONE);
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
    const next = this.#waiting.shift();
    if (next) this.#handle(next);
    else if (!this.#closed) this.stream.resume();
  }

  /** A frame with a JSON body, encoded into one buffer and written at once. */
  #send(header: FrameHeader, value: unknown): void {
    if (!this.#closed) this.#write(encodeJsonFrame(header, value, this.limits.maxMessage));
  }

  #write(frame: Buffer): void {
    if (!this.#closed) this.stream.write(frame);
  }
}
