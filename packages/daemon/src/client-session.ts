import { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { ConnectEntry, toVirError, invalidConnection, unsupported, type DomainEventData } from '@tsvirt/core/driver';
import {
  FrameDecoder, Keepalive, KeepaliveProcedure, keepaliveFrame, MessageStatus, MessageType, Program, encodeFrame, relayStream, writeInBurst,
  type Frame, type FrameHeader, type StreamLink,
} from '@tsvirt/core/protocol';
import type { DaemonLimits } from './daemon-limits.js';
import type { ClientAccess } from './network-access.js';
import { uriToOpen, type OpenPolicy } from './uri-policy.js';
import type { DriverPool, EventSubscriber } from './driver-pool.js';
import { JsonProgram } from './json-program.js';
import { RemoteProgram } from './remote-program.js';
import type { UnreadBudget, UnreadHolder } from './unread-budget.js';
import type { OpenConnection, ProgramServer, SessionContext } from './program-server.js';

const NOTHING = new Uint8Array(0);

const notOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection not open');
const alreadyOpen = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection already open');

/**
 * One client of the daemon: reads its frames, serves its calls, forwards the events it
 * asked for, and drops it on the first byte that breaks the protocol. Its program (tsvirt's
 * JSON one or libvirt's REMOTE one) is the program of its first call; a call of the other
 * breaks the protocol. Its pace is its own: while it has the most calls in flight that it
 * may, or has not read what was last sent to it, its socket is not read (the frames
 * already read wait in the decoder), and a client whose unread replies and events pass
 * the limit is dropped.
 */
export class ClientSession implements SessionContext, UnreadHolder {
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
  /** The program the client speaks, with its number; chosen by its first call. */
  #program: { number: number; server: ProgramServer } | null = null;
  readonly secure: boolean;

  constructor(
    private readonly stream: Duplex,
    readonly access: ClientAccess,
    private readonly pool: DriverPool,
    readonly limits: DaemonLimits,
    /** what all clients together may leave unread */
    private readonly budget: UnreadBudget,
    private readonly openPolicy: OpenPolicy,
    private readonly onClose: (session: ClientSession) => void,
    /** who the client is, for the log */
    private readonly peer: string,
  ) {
    this.#decoder = new FrameDecoder({ maxMessage: limits.maxMessage });
    // a plain TCP socket is the one transport that is neither local nor encrypted
    this.secure = stream instanceof TLSSocket || !(stream instanceof Socket) || stream.remoteAddress === undefined;
    // A client gone without a word (a host that vanished from the network) is noticed and dropped.
    this.#keepalive = new Keepalive({
      intervalMs: limits.keepaliveInterval * 1000,
      count: limits.keepaliveCount,
      ping: () => this.write(keepaliveFrame(KeepaliveProcedure.PING)),
      dead: () => this.close(),
    });
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.on('drain', () => {
      this.#congested = false;
      this.budget.update(this, 0);
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
    this.budget.update(this, 0);
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

  /** The program of a call: the first call chooses it; null for a frame that breaks the protocol. */
  #programOf(header: FrameHeader): ProgramServer | null {
    if (this.#program === null) {
      if (header.program === Program.TSVIRT) this.#program = { number: header.program, server: new JsonProgram(this) };
      else if (header.program === Program.REMOTE) this.#program = { number: header.program, server: new RemoteProgram(this) };
      else return null;
    }
    return this.#program.number === header.program ? this.#program.server : null;
  }

  #handle({ header, body }: Frame): void {
    if (header.program === Program.KEEPALIVE) {
      if (header.procedure !== KeepaliveProcedure.PING && header.procedure !== KeepaliveProcedure.PONG) this.close();
      else if (header.procedure === KeepaliveProcedure.PING) this.write(keepaliveFrame(KeepaliveProcedure.PONG));
      return;
    }
    if (header.type === MessageType.STREAM && header.program === this.#program?.number) {
      // Data, end or failure for a stream it opened; a stream already gone may still get a frame or two.
      this.#streams.get(header.serial)?.receive(header.status, body);
      return;
    }
    // Otherwise a client sends calls only, all of one program.
    const program = header.type === MessageType.CALL && header.status === MessageStatus.OK ? this.#programOf(header) : null;
    if (program === null) {
      this.close();
      return;
    }
    if (this.access.refusal) {
      // Told why, then dropped once the reply has left.
      this.write(program.errorFrame(header, this.access.refusal));
      this.close(true);
      return;
    }
    this.#inFlight++;
    // A call answered at once is replied to at once, without a turn through promises.
    let result: unknown;
    try {
      result = program.serve(header.procedure, body);
    } catch (e) {
      this.#fail(program, header, e);
      return;
    }
    if (result instanceof Promise) result.then((value) => this.#answer(program, header, value), (e) => this.#fail(program, header, e));
    else this.#answer(program, header, result);
  }

  #answer(program: ProgramServer, call: FrameHeader, value: unknown): void {
    // A call that opens a stream is answered with nothing; the stream's frames follow the reply.
    if (value instanceof Duplex) {
      this.#reply(program, call, () => program.replyFrame(call, undefined));
      this.#relay(program, call, value);
    } else {
      this.#reply(program, call, () => program.replyFrame(call, value));
    }
  }

  #fail(program: ProgramServer, call: FrameHeader, e: unknown): void {
    this.#reply(program, call, () => program.errorFrame(call, toVirError(e, ErrorDomain.RPC)));
  }

  #relay(program: ProgramServer, call: FrameHeader, local: Duplex): void {
    if (this.#closed) {
      local.destroy();
      return;
    }
    const send = (status: MessageStatus, body?: Uint8Array) => this.write(encodeFrame({ ...call, type: MessageType.STREAM, status }, body, this.limits.maxMessage));
    const link = relayStream(local, send, this.stream, program.streamErrors);
    this.#streams.set(call.serial, link);
    local.once('close', () => this.#streams.delete(call.serial));
  }

  /** The reply to a call, as one frame; a value too large to send becomes an error reply. */
  #reply(program: ProgramServer, call: FrameHeader, frame: () => Uint8Array): void {
    if (!this.#closed) {
      try {
        this.write(frame());
      } catch (e) {
        this.write(program.errorFrame(call, toVirError(e, ErrorDomain.RPC)));
      }
    }
    this.#inFlight--;
    this.#pump();
  }

  async open(uri: string, readOnly: boolean): Promise<void> {
    if (this.#conn !== null) throw alreadyOpen();
    const ro = this.access.readOnly || readOnly;
    // Calls that follow wait, unread, until it is open (#blocked).
    this.#conn = uriToOpen(uri, this.access.trusted, this.openPolicy).then((u) => this.pool.get(u.uri, u.fileDirs)).then((shared) => ({ shared, entry: new ConnectEntry(shared.driver, ro) }));
    try {
      this.#ready = await this.#conn;
    } catch (e) {
      this.#conn = null;
      throw e;
    }
  }

  connection(): OpenConnection {
    if (this.#ready === null) throw notOpen();
    return this.#ready;
  }

  closeConnection(fn: string): void {
    const { entry } = this.connection();
    if (entry.closed) throw invalidConnection(fn);
    entry.closed = true;
    this.#unsubscribeAll();
  }

  async subscribe(fn: string, deliver: (callbackId: number, event: DomainEventData) => void): Promise<number> {
    const { shared } = this.connection();
    if (!shared.driver.connectDomainEventRegister) throw unsupported(fn, ErrorDomain.NONE);
    if (this.#subscriptions.size >= this.limits.maxEventCallbacks) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.RPC, `too many event callbacks on this connection: the limit is ${this.limits.maxEventCallbacks}`);
    }
    const callbackId = this.#nextCallbackId++;
    const subscriber = (event: DomainEventData) => {
      if (!this.#closed) deliver(callbackId, event);
    };
    this.#subscriptions.set(callbackId, subscriber);
    await this.pool.subscribe(shared, subscriber);
    return callbackId;
  }

  unsubscribe(callbackId: number): void {
    const subscriber = this.#subscriptions.get(callbackId);
    if (!subscriber) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, `callback ID ${callbackId} not registered`);
    this.#subscriptions.delete(callbackId);
    this.pool.unsubscribe(this.connection().shared, subscriber);
  }

  #unsubscribeAll(): void {
    const conn = this.#conn;
    const subscribers = [...this.#subscriptions.values()];
    this.#subscriptions.clear();
    if (conn && subscribers.length) void conn.then(({ shared }) => subscribers.forEach((s) => this.pool.unsubscribe(shared, s)), () => undefined);
  }

  get unread(): number {
    return this.#closed ? 0 : this.stream.writableLength;
  }

  drop(why: string): void {
    if (this.#closed) return;
    process.stderr.write(`tsvirtd: dropped ${this.peer}: ${why}\n`);
    this.close();
  }

  /**
   * One frame to the client, unless what it has not read is already past its limit, or
   * the frame does not fit in what all clients together may leave unread and this client
   * holds the most: then it is dropped, as a client that does not keep up with its own
   * calls and events.
   */
  write(frame: Uint8Array): void {
    if (this.#closed) return;
    const unread = this.stream.writableLength;
    if (unread > this.limits.maxQueuedBytes) {
      this.drop(`${unread} bytes of replies and events unread, above the limit of ${this.limits.maxQueuedBytes}`);
      return;
    }
    if (!this.budget.makeRoom(this, frame.byteLength)) return;
    if (!writeInBurst(this.stream, frame)) this.#congested = true;
    this.budget.update(this, this.stream.writableLength);
  }
}
