import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { HANDLE_ID_CALLS, entryFromWire, type ConnectEntry, type HandleIdReply } from '@tsvirt/core/driver';
import { isRefType, plainRef, procedureByNumber, type Procedure } from '@tsvirt/core/protocol';

// A client's call goes through the same public entry points as an in-process call
// (as libvirtd calls libvirt's public API): their generated checks of the connection,
// access, flags and arguments, and their error mapping, are the only ones.

/** The procedure a call names; an unknown number is a protocol error, before any check of the call. */
export function procedureFor(proc: number): Procedure {
  const p = procedureByNumber.get(proc);
  if (!p) throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `unknown procedure: ${proc}`);
  return p;
}

/** The arguments that travel: a listener stays with the client, which gets events instead. */
const wireArgs = (p: Procedure) => p.args.filter((a) => a.type !== 'DomainEventListener');

/** A call's body as the values of its arguments, in the table's order: an absent one (JSON null) is undefined. */
export function callArgs(p: Procedure, body: unknown): unknown[] {
  const values = body === undefined ? [] : body;
  const max = wireArgs(p).length;
  if (!Array.isArray(values) || values.length > max) {
    throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `${p.c} takes an array of at most ${max} arguments`);
  }
  return values.map((v) => (v === null ? undefined : v));
}

/** Makes the call on the public object its first argument names (or the connection), and returns its result as it travels. */
export async function callEntry(conn: ConnectEntry, p: Procedure, args: unknown[]): Promise<unknown> {
  const onConnect = p.object === 'Connect';
  const target = entryFromWire(conn, p.object, args[0], p.c) as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const result = await target[p.method](...(onConnect ? args : args.slice(1)));
  // the handle the call was made with has taken the domain's new id: the client's takes it too
  if (HANDLE_ID_CALLS.has(p.driverName)) return { id: (target as unknown as { id: number }).id } satisfies HandleIdReply;
  return wireResult(p, result);
}

/** A result as it travels: public objects as plain references. */
function wireResult(p: Procedure, value: unknown): unknown {
  if (isRefType(p.returns)) return plainRef(p.returns, value as object);
  const item = p.returns.endsWith('[]') ? p.returns.slice(0, -2) : null;
  if (item !== null && isRefType(item)) return (value as object[]).map((v) => plainRef(item, v));
  return value;
}
