// XenAPI over JSON-RPC (POST /jsonrpc): version 2.0 requests; replies of version 2.0
// ({result} or {error: {message: NAME, data: [params]}}) and 1.0 ({result, error: [NAME, ...]}).

import { ErrorNumber, type VirError } from '@tsvirt/core';
import { failureOf, xenapiError } from './xenapi-errors.js';

export const JSONRPC_PATH = '/jsonrpc';

export function encodeJsonRpc(id: number, method: string, params: readonly unknown[]): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params, id });
}

export type RpcOutcome = { value: unknown } | { failure: VirError };

/** A reply's value or XenAPI's failure; a reply that is not JSON-RPC is an RPC error. */
export function decodeJsonRpc(body: string, id: number, method: string): RpcOutcome {
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw notJsonRpc(method);
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) throw notJsonRpc(method);
  if (reply.id !== id) throw xenapiError(ErrorNumber.RPC, `${method}: the XenAPI host answered another request (id ${String(reply.id).slice(0, 20)})`);
  const error = reply.error;
  if (error !== undefined && error !== null) {
    if (Array.isArray(error)) return { failure: failureOf(error, method) };
    const e = error as { message?: unknown; data?: unknown };
    return { failure: failureOf([e.message, ...(Array.isArray(e.data) ? e.data : [])], method) };
  }
  if (!('result' in reply)) throw notJsonRpc(method);
  return { value: reply.result };
}

const notJsonRpc = (method: string) => xenapiError(ErrorNumber.RPC, `${method}: the XenAPI host's answer is not JSON-RPC`);
