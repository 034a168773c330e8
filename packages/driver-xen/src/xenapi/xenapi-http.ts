// One HTTP(S) POST to a XenAPI host, bounded in time and size: a host that vanishes,
// stalls or floods gives a libvirt-coded error, never a hang or unbounded memory.

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

/** More than a pool of thousands of VMs answers get_all_records with. */
export const MAX_REPLY_BYTES = 64 << 20;

/** POST `body`; `signal` abandons the request (a long poll that is no longer wanted). */
export function post(endpoint: XenApiEndpoint, path: string, body: string, contentType: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
  const where = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      host: endpoint.host, port: endpoint.port, path, method: 'POST', agent: false,
      headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), Connection: 'close', 'User-Agent': 'tsvirt' },
      ...(endpoint.tls ? { rejectUnauthorized: !endpoint.noVerify, servername: endpoint.host } : {}),
    };
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const req = (endpoint.tls ? https : http).request(options, (res) => {
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
    req.on('error', (e) => done(() => reject(lost(where, e))));
    signal?.addEventListener('abort', () => {
      done(() => reject(xenapiError(ErrorNumber.OPERATION_ABORTED, `the request to the XenAPI host at ${where} was abandoned`)));
      req.destroy();
    }, { once: true });
    req.end(body);
  });
}

/** The host could not be reached, or went away mid-answer. */
const lost = (where: string, e: Error) => xenapiError(ErrorNumber.SYSTEM_ERROR, `unable to reach the XenAPI host at ${where}: ${strerror(e)}`);
