// One HTTP(S) POST to a XenAPI host, bounded in time and size: a host that vanishes,
// stalls or floods gives a libvirt-coded error, never a hang or unbounded memory.
// A connection's calls share kept-alive connections (a TLS handshake per call costs
// more than the call); a kept connection the host has closed meanwhile is replaced,
// once, by a new one.

import http from 'node:http';
import https from 'node:https';
import { ErrorNumber } from '@tsvirt/core';
import { strerror } from '@tsvirt/core/driver';
import { xenapiError } from './xenapi-errors.js';

export interface XenApiEndpoint {
  host: string;
  port: number;
  tls: boolean;
  /** accept a certificate that does not verify (libvirt's no_verify=1) */
  noVerify: boolean;
}

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Idle connections kept per XenAPI connection: its calls, and an event long poll beside them. */
const KEPT_CONNECTIONS = 2;

/** Kept-alive connections to one host (one per XenAPI connection; destroy() at close). */
export function keepAliveAgent(endpoint: XenApiEndpoint): http.Agent {
  return new (endpoint.tls ? https : http).Agent({ keepAlive: true, maxFreeSockets: KEPT_CONNECTIONS, scheduling: 'lifo' });
}

/** More than a pool of thousands of VMs answers get_all_records with. */
export const MAX_REPLY_BYTES = 64 << 20;

export interface PostOptions {
  timeoutMs: number;
  /** abandons the request (a long poll that is no longer wanted) */
  signal?: AbortSignal;
  /** kept-alive connections to reuse; none: a connection of its own, closed after the reply */
  agent?: http.Agent;
}

/** POST `body`. */
export async function post(endpoint: XenApiEndpoint, path: string, body: string, contentType: string, o: PostOptions): Promise<HttpReply> {
  try {
    return await postOnce(endpoint, path, body, contentType, o);
  } catch (e) {
    // The host closed a kept connection just as the request went out on it (its idle
    // timeout): nothing reached it, so the request goes again, on a new connection.
    if (!(e instanceof StaleConnection)) throw e;
    return postOnce(endpoint, path, body, contentType, { ...o, fresh: true });
  }
}

/** A kept-alive connection the host had closed: the request never reached it. */
class StaleConnection extends Error {}

function postOnce(endpoint: XenApiEndpoint, path: string, body: string, contentType: string, o: PostOptions & { fresh?: boolean }): Promise<HttpReply> {
  const { timeoutMs, signal } = o;
  // the request again after a stale connection: on a connection of its own
  const agent = o.fresh ? undefined : o.agent;
  const where = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host: endpoint.host, port: endpoint.port, path, method: 'POST', agent: agent ?? false,
      headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), Connection: agent ? 'keep-alive' : 'close', 'User-Agent': 'tsvirt' },
      ...(endpoint.tls ? { rejectUnauthorized: !endpoint.noVerify, servername: endpoint.host } : {}),
    };
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    let answered = false;
    const req = (endpoint.tls ? https : http).request(options, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_REPLY_BYTES) {
          done(() => reject(xenapiError(ErrorNumber.RPC, `the XenAPI host at ${where} sent more than ${MAX_REPLY_BYTES} bytes`)));
          req.destroy();
        } else chunks.push(d);
      });
      res.on('end', () => done(() => resolve({
        status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8'),
      })));
      res.on('error', (e) => done(() => reject(lost(where, e))));
    });
    const timer = setTimeout(() => {
      done(() => reject(xenapiError(ErrorNumber.OPERATION_TIMEOUT, `the XenAPI host at ${where} did not answer within ${timeoutMs / 1000} s`)));
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && !answered && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
      done(() => reject(stale ? new StaleConnection() : lost(where, e)));
    });
    signal?.addEventListener('abort', () => {
      done(() => reject(xenapiError(ErrorNumber.OPERATION_ABORTED, `the request to the XenAPI host at ${where} was abandoned`)));
      req.destroy();
    }, { once: true });
    req.end(body);
  });
}

/** The host could not be reached, went away mid-answer, or answered with what is not HTTP. */
function lost(where: string, e: NodeJS.ErrnoException) {
  if (e.code?.startsWith('HPE_')) return xenapiError(ErrorNumber.RPC, `the XenAPI host at ${where} answered with what is not HTTP`);
  return xenapiError(ErrorNumber.SYSTEM_ERROR, `unable to reach the XenAPI host at ${where}: ${strerror(e)}`);
}
