import {
  ErrorDomain, ErrorNumber, VirError, deniedOnReadOnly, invalidArgument, isRefType, plainRef, procedureByNumber,
  type Procedure, type ProcedureArg,
} from '@tsvirt/core';

/** What an argument of each wire type must be, as the public API's checks word it. */
const ARG_CHECKS: Record<string, [(v: unknown) => boolean, string]> = {
  string: [(v) => typeof v === 'string', 'a string'],
  uuid: [(v) => typeof v === 'string', 'a string'],
  int: [(v) => Number.isSafeInteger(v), 'an integer'],
  uint: [(v) => Number.isSafeInteger(v) && (v as number) >= 0, 'an unsigned integer'],
  ulong: [(v) => Number.isSafeInteger(v) && (v as number) >= 0, 'an unsigned integer'],
  flags: [(v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff, 'an unsigned 32-bit integer'],
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
};

/** Every object type travels as a reference, which names the object. */
const REF_CHECK: [(v: unknown) => boolean, string] = [(v) => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string', 'an object reference'];

/** One argument as the driver takes it: optional ones absent as undefined, flags as 0. */
function checkedArg(p: Procedure, a: ProcedureArg, value: unknown): unknown {
  if (value === undefined || value === null) {
    if (!a.optional) throw invalidArgument(a.name, p.c, 'given', ErrorDomain.RPC);
    return a.type === 'flags' ? 0 : undefined;
  }
  const ref = isRefType(a.type);
  const check = ref ? REF_CHECK : ARG_CHECKS[a.type];
  if (check && !check[0](value)) throw invalidArgument(a.name, p.c, check[1], ErrorDomain.RPC);
  return ref ? plainRef(a.type, value as object) : value;
}

/** The procedure a call names, refused before dispatch when unknown or a write on a read-only client. */
export function procedureFor(proc: number, readOnly: boolean): Procedure {
  const p = procedureByNumber.get(proc);
  if (!p) throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `unknown procedure: ${proc}`);
  if (readOnly && p.access === 'write') throw deniedOnReadOnly(p.c, ErrorDomain.NONE);
  return p;
}

/** The arguments that travel: a listener stays with the client, which gets events instead. */
export const wireArgs = (p: Procedure) => p.args.filter((a) => a.type !== 'DomainEventListener');

/** A call's body as the driver method's arguments, in the table's order. */
export function driverArgs(p: Procedure, body: unknown): unknown[] {
  const values = body === undefined ? [] : body;
  const args = wireArgs(p);
  if (!Array.isArray(values) || values.length > args.length) {
    throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `${p.c} takes an array of at most ${args.length} arguments`);
  }
  return args.map((a, i) => checkedArg(p, a, values[i]));
}

/** A driver's result as it travels: objects as plain references, whatever objects the driver keeps. */
export function wireResult(p: Procedure, value: unknown): unknown {
  if (isRefType(p.returns)) return plainRef(p.returns, value as object);
  const item = p.returns.endsWith('[]') ? p.returns.slice(0, -2) : null;
  if (item !== null && isRefType(item)) return (value as object[]).map((v) => plainRef(item, v));
  return value;
}
