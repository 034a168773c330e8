// A xenstore client over xenstored's unix socket: read, write, directory, mkdir,
// remove, permissions, watches (events pushed by xenstored, no polling) and
// transactions (retried when xenstored reports a conflict). Requests may be in
// flight together; replies find their request by id. Every reply is bounded by the
// wire codec, and every request by a timeout.

import net from 'node:net';
import { ErrorNumber } from '@tsvirt/core';
import {
  ABS_PATH_MAX, PAYLOAD_MAX, XsDecoder, XsProtocolError, XsType, decodeString, decodeStrings, encodeMessage, encodePathValue, encodeStrings,
  formatPerm, parsePerm, type XsMessage, type XsPerm,
} from './xs-wire.js';
import { XenstoreError, cannotConnect, xenstoreFailure } from './xs-error.js';

export interface XenstoreOptions {
  /** how long a request waits for its reply (default 10 s) */
  timeoutMs?: number;
}

/** Where xenstored listens on a Xen host. */
export const XENSTORED_SOCKET = '/run/xenstored/socket';

/** Called with the path that changed (or the watched path itself, once, when the watch is set). */
export type WatchListener = (path: string) => void;

export interface XsWatch {
  readonly path: string;
  readonly token: string;
  /** Stop the watch (XS_UNWATCH). */
  close(): Promise<void>;
}

/** The calls of a transaction: the client's, bound to its id. */
export interface XsTransaction {
  read(path: string): Promise<string>;
  write(path: string, value: string): Promise<void>;
  directory(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

interface Pending {
  what: string;
  resolve(m: XsMessage): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Paths as xenstored takes them: absolute or relative to the caller's domain, or a special watch path. */
function checkPath(path: string): void {
  if (!path || path.includes('\0') || Buffer.byteLength(path) > ABS_PATH_MAX) {
    throw xenstoreFailure(ErrorNumber.INVALID_ARG, `bad xenstore path '${path.slice(0, 80)}'`);
  }
}

export class XenstoreClient {
  /** Connect to xenstored's socket. */
  static connect(socketPath: string = XENSTORED_SOCKET, options: XenstoreOptions = {}): Promise<XenstoreClient> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(socketPath);
      const timer = setTimeout(() => { sock.destroy(); reject(cannotConnect(socketPath, 'timed out')); }, options.timeoutMs ?? 10_000);
      sock.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(cannotConnect(socketPath, e.code === 'ENOENT' ? 'no xenstored listens there' : e.message));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new XenstoreClient(sock, options));
      });
    });
  }

  readonly #sock: net.Socket;
  readonly #decoder = new XsDecoder();
  readonly #pending = new Map<number, Pending>();
  readonly #watches = new Map<string, WatchListener>();
  readonly #timeoutMs: number;
  #nextReq = 1;
  #nextToken = 1;
  #closed: Error | null = null;

  private constructor(sock: net.Socket, options: XenstoreOptions) {
    this.#sock = sock;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    sock.on('data', (chunk: Buffer) => {
      let messages: XsMessage[];
      try {
        messages = this.#decoder.push(chunk);
      } catch (e) {
        this.#fail(xenstoreFailure(ErrorNumber.INTERNAL_ERROR, (e as XsProtocolError).message));
        return;
      }
      for (const m of messages) this.#dispatch(m);
    });
    sock.on('error', (e) => this.#fail(xenstoreFailure(ErrorNumber.SYSTEM_ERROR, `xenstore connection: ${e.message}`)));
    sock.on('close', () => this.#fail(xenstoreFailure(ErrorNumber.OPERATION_FAILED, 'xenstore connection closed')));
  }

  /** Whether the connection is still up. */
  get alive(): boolean {
    return this.#closed === null;
  }

  /** The watches set now (each listener is told of its path's changes). */
  get watchCount(): number {
    return this.#watches.size;
  }

  read(path: string, txId = 0): Promise<string> {
    checkPath(path);
    return this.#request(XsType.READ, txId, encodeStrings([path]), `read ${path}`).then((m) => m.payload.toString('utf8'));
  }

  /** The node's value, or undefined when there is no such node. */
  async readOptional(path: string, txId = 0): Promise<string | undefined> {
    try {
      return await this.read(path, txId);
    } catch (e) {
      if (e instanceof XenstoreError && e.errno === 'ENOENT') return undefined;
      throw e;
    }
  }

  async write(path: string, value: string, txId = 0): Promise<void> {
    checkPath(path);
    await this.#request(XsType.WRITE, txId, encodePathValue(path, value), `write ${path}`);
  }

  directory(path: string, txId = 0): Promise<string[]> {
    checkPath(path);
    return this.#request(XsType.DIRECTORY, txId, encodeStrings([path]), `directory ${path}`).then((m) => decodeStrings(m.payload));
  }

  async mkdir(path: string, txId = 0): Promise<void> {
    checkPath(path);
    await this.#request(XsType.MKDIR, txId, encodeStrings([path]), `mkdir ${path}`);
  }

  /** Remove a node and everything under it. */
  async remove(path: string, txId = 0): Promise<void> {
    checkPath(path);
    await this.#request(XsType.RM, txId, encodeStrings([path]), `rm ${path}`);
  }

  async getPerms(path: string, txId = 0): Promise<XsPerm[]> {
    checkPath(path);
    const m = await this.#request(XsType.GET_PERMS, txId, encodeStrings([path]), `get-perms ${path}`);
    try {
      return decodeStrings(m.payload).map(parsePerm);
    } catch (e) {
      throw xenstoreFailure(ErrorNumber.INTERNAL_ERROR, (e as Error).message);
    }
  }

  /** Set a node's permissions: the first entry is its owner and what other domains may do. */
  async setPerms(path: string, perms: readonly XsPerm[], txId = 0): Promise<void> {
    checkPath(path);
    if (!perms.length) throw xenstoreFailure(ErrorNumber.INVALID_ARG, 'a node needs at least its owner\'s permission');
    let text: string[];
    try {
      text = perms.map(formatPerm);
    } catch (e) {
      throw xenstoreFailure(ErrorNumber.INVALID_ARG, (e as Error).message);
    }
    await this.#request(XsType.SET_PERMS, txId, encodeStrings([path, ...text]), `set-perms ${path}`);
  }

  /** The home path of a domain ("/local/domain/N"). */
  getDomainPath(domid: number): Promise<string> {
    return this.#request(XsType.GET_DOMAIN_PATH, 0, encodeStrings([String(domid)]), `get-domain-path ${domid}`).then((m) => decodeString(m.payload));
  }

  /**
   * Watch a path and everything under it ("@introduceDomain" and "@releaseDomain"
   * for domains that come and go). xenstored fires the watch once when it is set.
   */
  async watch(path: string, listener: WatchListener): Promise<XsWatch> {
    checkPath(path);
    const token = `tsvirt-${this.#nextToken++}`;
    this.#watches.set(token, listener);
    try {
      await this.#request(XsType.WATCH, 0, encodeStrings([path, token]), `watch ${path}`);
    } catch (e) {
      this.#watches.delete(token);
      throw e;
    }
    return {
      path, token,
      close: async () => {
        if (!this.#watches.delete(token) || this.#closed) return;
        await this.#request(XsType.UNWATCH, 0, encodeStrings([path, token]), `unwatch ${path}`);
      },
    };
  }

  /**
   * Run `work` in a transaction and commit it; when xenstored reports a conflict
   * (EAGAIN: another writer changed what it read), run it again, up to `attempts`
   * times. A failure in `work` aborts the transaction.
   */
  async transaction<T>(work: (tx: XsTransaction) => Promise<T>, attempts = 16): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const txId = await this.#startTransaction();
      const tx: XsTransaction = {
        read: (p) => this.read(p, txId),
        write: (p, v) => this.write(p, v, txId),
        directory: (p) => this.directory(p, txId),
        mkdir: (p) => this.mkdir(p, txId),
        remove: (p) => this.remove(p, txId),
      };
      let result: T;
      try {
        result = await work(tx);
      } catch (e) {
        await this.#endTransaction(txId, false).catch(() => undefined);
        throw e;
      }
      try {
        await this.#endTransaction(txId, true);
        return result;
      } catch (e) {
        if (!(e instanceof XenstoreError && e.errno === 'EAGAIN') || attempt >= attempts) throw e;
        // another writer won: a short pause that grows, then the work again on fresh reads
        await new Promise((r) => setTimeout(r, Math.min(2 ** attempt, 100)));
      }
    }
  }

  close(): void {
    this.#sock.destroy();
    this.#fail(xenstoreFailure(ErrorNumber.OPERATION_FAILED, 'xenstore connection closed'));
  }

  async #startTransaction(): Promise<number> {
    const m = await this.#request(XsType.TRANSACTION_START, 0, encodeStrings(['']), 'transaction-start');
    const id = Number(decodeString(m.payload));
    if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) throw xenstoreFailure(ErrorNumber.INTERNAL_ERROR, 'xenstore gave a bad transaction id');
    return id;
  }

  async #endTransaction(txId: number, commit: boolean): Promise<void> {
    await this.#request(XsType.TRANSACTION_END, txId, encodeStrings([commit ? 'T' : 'F']), commit ? 'transaction commit' : 'transaction abort');
  }

  #request(type: number, txId: number, payload: Buffer, what: string): Promise<XsMessage> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (payload.length > PAYLOAD_MAX) return Promise.reject(xenstoreFailure(ErrorNumber.INVALID_ARG, `xenstore ${what}: more than ${PAYLOAD_MAX} bytes`));
    const reqId = this.#nextReq;
    this.#nextReq = (this.#nextReq % 0xffffffff) + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(reqId);
        reject(xenstoreFailure(ErrorNumber.OPERATION_TIMEOUT, `xenstore ${what}: no reply within ${this.#timeoutMs / 1000} s`));
      }, this.#timeoutMs);
      this.#pending.set(reqId, { what, resolve, reject, timer });
      this.#sock.write(encodeMessage({ type, reqId, txId, payload }));
    });
  }

  #dispatch(m: XsMessage): void {
    if (m.type === XsType.WATCH_EVENT) {
      const [path, token] = decodeStrings(m.payload);
      const listener = token === undefined ? undefined : this.#watches.get(token);
      if (listener && path !== undefined) {
        try { listener(path); } catch { /* a listener's failure is its own */ }
      }
      return;
    }
    const p = this.#pending.get(m.reqId);
    if (!p) return; // the reply to a request that timed out
    this.#pending.delete(m.reqId);
    clearTimeout(p.timer);
    if (m.type === XsType.ERROR) p.reject(new XenstoreError(decodeString(m.payload).slice(0, 32), p.what));
    else p.resolve(m);
  }

  #fail(e: Error): void {
    if (this.#closed) return;
    this.#closed = e;
    this.#sock.destroy();
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.#pending.clear();
    this.#watches.clear();
  }
}
