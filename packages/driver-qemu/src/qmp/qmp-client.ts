// A QMP client over a unix socket: connects (retrying, since QEMU creates the
// socket a little after exec), negotiates capabilities, correlates replies to
// commands by id and hands events to listeners.

import { EventEmitter, once } from 'node:events';
import net, { type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpClosedError, QmpError } from './qmp-error.js';
import { encodeQmpCommand, QmpDecoder, QmpWireError, type QmpEvent, type QmpGreeting, type QmpMessage } from './qmp-wire.js';

export interface QmpConnectOptions {
  socketPath: string;
  /** Deadline for connecting, the greeting and capability negotiation together. Default 10 s. */
  timeoutMs?: number;
  /** Pause between connection attempts while the socket is not there yet. Default 10 ms. */
  retryIntervalMs?: number;
  /** Stops connecting early, e.g. when the QEMU process exits; rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Bound on one message's size; see DEFAULT_MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
}

export interface QmpClientEvents {
  /** An asynchronous event from QEMU, delivered in wire order relative to replies. */
  event: [event: QmpEvent];
  /** The connection is gone; emitted once, with the reason. */
  close: [reason: QmpClosedError];
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

// Errors that mean "QEMU has not created or started listening on the socket yet".
const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED']);

export class QmpClient extends EventEmitter<QmpClientEvents> {
  /** Connect to a QMP socket and leave it in command mode. */
  static async connect(options: QmpConnectOptions): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const { signal } = options;
    const socket = await connectWithRetry(options.socketPath, deadline, timeoutMs, options.retryIntervalMs ?? 10, signal);
    const client = new QmpClient(socket, options.maxMessageBytes);
    const timer = setTimeout(
      () => client.#shutdown(`no QMP greeting and capabilities from ${options.socketPath} within ${timeoutMs} ms`),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = (): void => client.#shutdown('connection aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await client.#greeted;
      await client.execute('qmp_capabilities');
      return client;
    } catch (err) {
      client.#shutdown('capability negotiation failed');
      if (signal?.aborted) throw signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  readonly #socket: net.Socket;
  readonly #decoder: QmpDecoder;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #greeting: QmpGreeting | undefined;
  readonly #greeted: Promise<QmpGreeting>;
  #onGreeting!: { resolve: (g: QmpGreeting) => void; reject: (err: Error) => void };
  #closeReason: string | undefined;
  #socketError: Error | undefined;
  readonly #socketClosed: Promise<void>;

  private constructor(socket: net.Socket, maxMessageBytes: number | undefined) {
    super();
    this.#socket = socket;
    this.#decoder = new QmpDecoder({ maxMessageBytes });
    this.#greeted = new Promise((resolve, reject) => {
      this.#onGreeting = { resolve, reject };
    });
    // Nobody awaits the greeting after negotiation; a later rejection must not go unhandled.
    this.#greeted.catch(() => {});
    this.#socketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => {
      this.#socketError = err;
    });
    // ECONNRESET is the usual error here: QEMU died with our command unread.
    socket.on('close', () => this.#shutdown(`connection closed by QEMU${this.#socketError ? ` (${this.#socketError.message})` : ''}`));
  }

  /** QEMU's greeting: version and offered capabilities. */
  get greeting(): QmpGreeting {
    // connect() returns only after the greeting, so it is always set for callers.
    return this.#greeting!;
  }

  /** True once the connection is gone; every execute() then fails with QmpClosedError. */
  get closed(): boolean {
    return this.#closeReason !== undefined;
  }

  /**
   * Run a command. Resolves with its "return" value; rejects with QmpError when
   * QEMU answers with an error, or QmpClosedError when the monitor goes away first.
   */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.#closeReason !== undefined) return Promise.reject(new QmpClosedError(this.#closeReason, command));
    const id = `tsvirt-${this.#nextId++}`;
    const line = encodeQmpCommand(command, args, id);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      this.#socket.write(line);
    });
  }

  /**
   * Run a command that takes descriptors with it (getfd, add-fd): `sendFds` writes the
   * command's bytes with `fds` attached (SCM_RIGHTS, hv-native's), once the socket's
   * queue is empty so that the descriptors go with these bytes and no others.
   * The caller keeps its own copies of `fds`.
   */
  async executeWithFds<T = unknown>(
    command: string, args: Record<string, unknown>, fds: readonly number[],
    sendFds: (socket: Socket, data: Uint8Array, fds: readonly number[]) => void,
  ): Promise<T> {
    if (this.#closeReason !== undefined) throw new QmpClosedError(this.#closeReason, command);
    while (this.#socket.writableLength > 0 && !this.closed) await once(this.#socket, 'drain');
    const id = `tsvirt-${this.#nextId++}`;
    const line = encodeQmpCommand(command, args, id);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      try {
        sendFds(this.#socket, Buffer.from(line), fds);
      } catch (e) {
        this.#pending.delete(id);
        reject(e);
      }
    });
  }

  /** Close the connection; pending commands fail with QmpClosedError. */
  async close(): Promise<void> {
    this.#shutdown('closed by the client');
    await this.#socketClosed;
  }

  #onData(chunk: Buffer): void {
    try {
      this.#decoder.push(chunk, (message) => this.#onMessage(message));
    } catch (err) {
      if (!(err instanceof QmpWireError)) throw err;
      this.#shutdown(`protocol error: ${err.message}`, err);
    }
  }

  #onMessage(message: QmpMessage): void {
    if (this.#closeReason !== undefined) return;
    if (message.kind === 'greeting') {
      if (this.#greeting) return this.#shutdown('protocol error: second QMP greeting');
      this.#greeting = message;
      this.#onGreeting.resolve(message);
      return;
    }
    if (!this.#greeting) return this.#shutdown(`protocol error: ${message.kind} received before the QMP greeting`);
    if (message.kind === 'event') {
      this.emit('event', message);
      return;
    }
    const pending = message.id === undefined ? undefined : this.#pending.get(String(message.id));
    if (!pending) return this.#shutdown(`protocol error: reply to unknown command id ${JSON.stringify(message.id)}`);
    this.#pending.delete(String(message.id));
    if (message.kind === 'return') pending.resolve(message.value);
    else pending.reject(new QmpError(pending.command, message.errorClass, message.desc));
  }

  #shutdown(reason: string, cause?: unknown): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    const closed = new QmpClosedError(reason, undefined, { cause });
    this.#socket.destroy();
    this.#onGreeting.reject(closed);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new QmpClosedError(reason, p.command, { cause }));
    this.emit('close', closed);
  }
}

async function connectWithRetry(
  path: string,
  deadline: number,
  timeoutMs: number,
  retryIntervalMs: number,
  signal: AbortSignal | undefined,
): Promise<net.Socket> {
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await connectOnce(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!RETRYABLE.has(code)) throw new Error(`cannot connect to QEMU monitor at ${path}: ${(err as Error).message}`, { cause: err });
      if (Date.now() + retryIntervalMs > deadline) {
        throw new Error(`cannot connect to QEMU monitor at ${path}: still ${code} after ${timeoutMs} ms`, { cause: err });
      }
    }
    await sleep(retryIntervalMs, undefined, { signal }).catch(() => signal?.throwIfAborted());
  }
}

function connectOnce(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
