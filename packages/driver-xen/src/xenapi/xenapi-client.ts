// A XenAPI client: JSON-RPC, or XML-RPC where the host offers only that (found out on
// the first call), a session logged in with the user's password and renewed when the
// host has dropped it, every call bounded in time, its calls on kept-alive connections.

import { ErrorNumber, VirError } from '@tsvirt/core';
import { XenApiFailure, xenapiError } from './xenapi-errors.js';
import type { Agent } from 'node:http';
import { keepAliveAgent, post, type XenApiEndpoint } from './xenapi-http.js';
import { JSONRPC_PATH, decodeJsonRpc, encodeJsonRpc, type RpcOutcome } from './xenapi-jsonrpc.js';
import { XMLRPC_PATH, decodeXmlRpc, encodeXmlRpc } from './xenapi-xmlrpc.js';

export type XenApiProtocol = 'jsonrpc' | 'xmlrpc';

export interface XenApiClientOptions {
  endpoint: XenApiEndpoint;
  user: string;
  password: string;
  /** the wire protocol; found out on the first call when not given */
  protocol?: XenApiProtocol;
  /** how long one call may take (default 30 s) */
  timeoutMs?: number;
  /** false: a connection per call, closed after its reply (default: kept alive and reused) */
  keepAlive?: boolean;
}

/** The XenAPI version tsvirt speaks at login. */
const API_VERSION = '1.0';

export class XenApiClient {
  readonly #o: XenApiClientOptions;
  #protocol: XenApiProtocol | undefined;
  #session: string | null = null;
  #loggingIn: Promise<string> | null = null;
  #nextId = 1;
  readonly #agent: Agent | undefined;

  constructor(options: XenApiClientOptions) {
    this.#o = options;
    this.#protocol = options.protocol;
    this.#agent = options.keepAlive === false ? undefined : keepAliveAgent(options.endpoint);
  }

  get endpoint(): XenApiEndpoint {
    return this.#o.endpoint;
  }

  /** The protocol in use (once a call has been made). */
  get protocol(): XenApiProtocol | undefined {
    return this.#protocol;
  }

  /** The session reference, once logged in. */
  get session(): string | null {
    return this.#session;
  }

  /** Log in (again): session.login_with_password. */
  login(): Promise<string> {
    this.#loggingIn ??= this.rawCall('session.login_with_password', [this.#o.user, this.#o.password, API_VERSION, 'tsvirt'])
      .then((s) => {
        if (typeof s !== 'string' || !s || s.length > 1024) throw xenapiError(ErrorNumber.RPC, 'session.login_with_password: the XenAPI host gave no session');
        this.#session = s;
        return s;
      })
      .finally(() => { this.#loggingIn = null; });
    return this.#loggingIn;
  }

  async logout(): Promise<void> {
    const s = this.#session;
    this.#session = null;
    if (s) await this.rawCall('session.logout', [s]).catch(() => undefined);
  }

  /** Log out and close the kept connections. */
  async close(): Promise<void> {
    await this.logout();
    this.#agent?.destroy();
  }

  /**
   * A call in the session (its reference goes first). A host that has dropped the
   * session (SESSION_INVALID: restarted, timed out, logged out elsewhere) is logged
   * into again, once, and the call made again.
   */
  async call(method: string, args: readonly unknown[] = [], timeoutMs?: number, signal?: AbortSignal): Promise<unknown> {
    const session = this.#session ?? (await this.login());
    try {
      return await this.rawCall(method, [session, ...args], timeoutMs, signal);
    } catch (e) {
      if (!(e instanceof XenApiFailure && e.xenapiName === 'SESSION_INVALID')) throw e;
      if (this.#session === session) this.#session = null;
      return this.rawCall(method, [this.#session ?? (await this.login()), ...args], timeoutMs, signal);
    }
  }

  /** One call as given (no session added): its value, or XenAPI's failure as a VirError. */
  async rawCall(method: string, params: readonly unknown[], timeoutMs = this.#o.timeoutMs ?? 30_000, signal?: AbortSignal): Promise<unknown> {
    let outcome: RpcOutcome;
    if (this.#protocol === 'xmlrpc') outcome = await this.#xmlRpc(method, params, timeoutMs, signal);
    else if (this.#protocol === 'jsonrpc') outcome = await this.#jsonRpc(method, params, timeoutMs, signal);
    else {
      // a host that does not answer JSON-RPC (an older XenServer) gets XML-RPC from then on
      try {
        outcome = await this.#jsonRpc(method, params, timeoutMs, signal);
        this.#protocol = 'jsonrpc';
      } catch (e) {
        if (!VirError.is(e, ErrorNumber.RPC)) throw e;
        outcome = await this.#xmlRpc(method, params, timeoutMs, signal);
        this.#protocol = 'xmlrpc';
      }
    }
    if ('failure' in outcome) throw outcome.failure;
    return outcome.value;
  }

  async #jsonRpc(method: string, params: readonly unknown[], timeoutMs: number, signal?: AbortSignal): Promise<RpcOutcome> {
    const id = this.#nextId++;
    const reply = await post(this.#o.endpoint, JSONRPC_PATH, encodeJsonRpc(id, method, params), 'application/json', this.#post(timeoutMs, signal));
    if (reply.status !== 200) throw httpStatus(method, reply.status);
    return decodeJsonRpc(reply.body, id, method);
  }

  async #xmlRpc(method: string, params: readonly unknown[], timeoutMs: number, signal?: AbortSignal): Promise<RpcOutcome> {
    const reply = await post(this.#o.endpoint, XMLRPC_PATH, encodeXmlRpc(method, params), 'text/xml', this.#post(timeoutMs, signal));
    if (reply.status !== 200) throw httpStatus(method, reply.status);
    return decodeXmlRpc(reply.body, method);
  }

  #post(timeoutMs: number, signal: AbortSignal | undefined) {
    return { timeoutMs, ...(signal ? { signal } : {}), ...(this.#agent ? { agent: this.#agent } : {}) };
  }
}

const httpStatus = (method: string, status: number) => xenapiError(ErrorNumber.RPC, `${method}: the XenAPI host answered HTTP ${status}`);
