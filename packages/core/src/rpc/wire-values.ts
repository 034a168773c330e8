import type { VirErrorData } from '../errors/vir-error.js';
import type { TypedParams } from '../gen/api.gen.js';
import type { WireProcedure, WireReply, WireShape } from './wire-procedure.js';
import { XdrError } from './xdr/xdr-error.js';
import type { XdrType } from './xdr/xdr-types.js';

// API values (as tsvirt's own program carries them: references as plain records, UUIDs
// as text) and libvirt's XDR values, both ways, by the shapes generated from api.xml.
// The daemon uses the XDR-to-API direction for calls and the other for replies; a
// client of libvirtd the reverse.

/** libvirt's virTypedParameterType: the arms of remote_typed_param_value. */
export const TypedParamType = { INT: 1, UINT: 2, LLONG: 3, ULLONG: 4, DOUBLE: 5, BOOLEAN: 6, STRING: 7 } as const;

const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A 64-bit value as the API holds it: a number (exact up to 2^53). */
const asNumber = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidBytes(text: unknown, path: string): Buffer {
  if (typeof text !== 'string' || !UUID_TEXT.test(text)) throw new XdrError(path, `'${String(text)}' is not a UUID`);
  return Buffer.from(text.replace(/-/g, ''), 'hex');
}

function bitmapBytes(cpus: unknown, path: string): Buffer {
  if (!Array.isArray(cpus) || !cpus.every((c) => Number.isSafeInteger(c) && c >= 0 && c < 0x10000)) throw new XdrError(path, 'a list of CPU numbers');
  const bytes = Buffer.alloc(cpus.length ? (Math.max(...cpus) >> 3) + 1 : 0);
  for (const c of cpus as number[]) bytes[c >> 3]! |= 1 << (c & 7);
  return bytes;
}

function bitmapCpus(bytes: Uint8Array): number[] {
  const cpus: number[] = [];
  bytes.forEach((b, i) => {
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) cpus.push(i * 8 + bit);
  });
  return cpus;
}

function typedParam(field: string, value: unknown, path: string): unknown {
  const { INT, LLONG, ULLONG, DOUBLE, BOOLEAN, STRING } = TypedParamType;
  if (typeof value === 'boolean') return { field, value: { type: BOOLEAN, b: value ? 1 : 0 } };
  if (typeof value === 'string') return { field, value: { type: STRING, s: value } };
  if (typeof value === 'number' && Number.isInteger(value)) {
    return { field, value: value < 0 ? (value >= -0x80000000 ? { type: INT, i: value } : { type: LLONG, l: value }) : { type: ULLONG, ul: value } };
  }
  if (typeof value === 'number') return { field, value: { type: DOUBLE, d: value } };
  throw new XdrError(path, `typed parameter '${field}' holds a ${typeof value}`);
}

function typedValue(v: Record<string, unknown>): string | number | boolean {
  switch (v.type) {
    case TypedParamType.BOOLEAN: return v.b !== 0;
    case TypedParamType.STRING: return v.s as string;
    default: return asNumber(v.i ?? v.ui ?? v.l ?? v.ul ?? v.d) as number;
  }
}

/** An API value in its XDR form. */
export function toWire(shape: WireShape, value: unknown, path = ''): unknown {
  switch (shape.k) {
    case 'plain': return value;
    case 'bool': return value ? 1 : 0;
    case 'uuid': return uuidBytes(value, path);
    case 'bitmap': return bitmapBytes(value, path);
    case 'chars': {
      if (typeof value !== 'string') throw new XdrError(path, 'a string');
      // libvirt's char arrays carry the text's NUL; a fixed one is filled with NULs
      const bytes = [...Buffer.from(value, 'utf8'), 0];
      if (shape.size !== undefined) {
        if (bytes.length > shape.size) throw new XdrError(path, `a string of fewer than ${shape.size} bytes`);
        while (bytes.length < shape.size) bytes.push(0);
      }
      return bytes.map((b) => (b > 0x7f ? b - 0x100 : b));
    }
    case 'params':
      if (typeof value !== 'object' || value === null) throw new XdrError(path, 'typed parameters');
      return Object.entries(value as TypedParams).map(([field, v]) => typedParam(field, v, path));
    case 'stats':
      if (typeof value !== 'object' || value === null) throw new XdrError(path, 'named counters');
      return Object.entries(value as Record<string, number>).map(([field, v]) => ({ field, value: v }));
    case 'optional': return value === undefined || value === null ? null : toWire(shape.of, value, path);
    case 'list':
      if (!Array.isArray(value)) throw new XdrError(path, 'a list');
      return value.map((v, i) => toWire(shape.of, v, `${path}[${i}]`));
    case 'wrap':
      return toWire(shape.of, (value as Record<string, unknown> | null)?.[shape.field], path);
    case 'nameOf':
      return { ...zeroOf(shape.type) as object, name: value };
    case 'record': {
      if (typeof value !== 'object' || value === null) throw new XdrError(path, 'an object');
      const out: Record<string, unknown> = {};
      for (const f of shape.fields) if (f.member !== null) out[f.member] = toWire(f.shape, (value as Record<string, unknown>)[f.api], `${path}.${f.api}`);
      return out;
    }
  }
}

/** An XDR value (as decoded) in its API form. */
export function fromWire(shape: WireShape, value: unknown): unknown {
  switch (shape.k) {
    case 'plain': return asNumber(value);
    case 'bool': return value !== 0;
    case 'uuid': return uuidText(value as Uint8Array);
    case 'bitmap': return bitmapCpus(value as Uint8Array);
    case 'chars': {
      const bytes = Buffer.from((value as number[]).map((b) => b & 0xff));
      const end = bytes.indexOf(0);
      return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
    }
    case 'params':
      return Object.fromEntries((value as { field: string; value: Record<string, unknown> }[]).map((p) => [p.field, typedValue(p.value)]));
    case 'stats':
      return Object.fromEntries((value as { field: string; value: unknown }[]).map((p) => [p.field, asNumber(p.value)]));
    case 'optional': return value === null ? undefined : fromWire(shape.of, value);
    case 'list': return (value as unknown[]).map((v) => fromWire(shape.of, v));
    case 'wrap': return { [shape.field]: fromWire(shape.of, value) };
    case 'nameOf': return (value as { name: string }).name;
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of shape.fields) out[f.api] = f.member === null ? f.fill : fromWire(f.shape, (value as Record<string, unknown>)[f.member]);
      return out;
    }
  }
}

/** The value of an XDR type that is all zeros: what a reply carries where the API returns nothing. */
export function zeroOf(type: XdrType): unknown {
  switch (type.kind) {
    case 'hyper': case 'uhyper': case 'int': case 'uint': case 'char': case 'uchar': case 'short': case 'ushort': case 'float': case 'double': return 0;
    case 'bool': return false;
    case 'void': return undefined;
    case 'string': return '';
    case 'opaque': return Buffer.alloc(0);
    case 'fixed-opaque': return Buffer.alloc(type.size);
    case 'optional': return null;
    case 'array': return [];
    case 'fixed-array': return Array.from({ length: type.size }, () => zeroOf(type.of));
    case 'struct': return Object.fromEntries(type.fields.map((f) => [f.name, zeroOf(f.type)]));
    case 'union': {
      const arm = type.arms[0]!;
      return { [type.discriminant]: arm.when, [arm.name]: zeroOf(arm.type) };
    }
  }
}

/** A call's decoded XDR arguments as the API call's arguments (the object first), in order. */
export function callArgsFromWire(p: WireProcedure, decoded: unknown): unknown[] {
  const args: unknown[] = [];
  for (const a of p.argMap ?? []) if (a.arg !== null) args[a.arg] = fromWire(a.shape, (decoded as Record<string, unknown>)[a.member]);
  return args;
}

/** An API call's arguments (the object first) as the XDR value of the procedure's call. */
export function callArgsToWire(p: WireProcedure, args: readonly unknown[]): unknown {
  if (p.args === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const a of p.argMap ?? []) out[a.member] = a.arg === null ? a.send : toWire(a.shape, args[a.arg], a.member);
  return out;
}

/**
 * An API call's value as the XDR value of the procedure's reply. `self`: the object the
 * call was made on, as the reply names it (a domain with the id the call gave it).
 */
export function replyToWire(p: WireProcedure, value: unknown, self?: unknown): unknown {
  const reply: WireReply = p.reply ?? { kind: 'none' };
  switch (reply.kind) {
    case 'none': case 'stream': return undefined;
    case 'zero': return zeroOf(p.ret!);
    case 'self': {
      const arg = p.argMap!.find((a) => a.arg === 0)!;
      return { [reply.member]: toWire(arg.shape, self) };
    }
    case 'record': return toWire(reply.shape, value);
    case 'value': {
      const wire = toWire(reply.shape, value, reply.member);
      const out: Record<string, unknown> = { [reply.member]: wire };
      for (const [count, of] of reply.counts) out[count] = (out[of] as unknown[]).length;
      return out;
    }
  }
}

/** A procedure's decoded XDR reply as the API call's value. */
export function replyFromWire(p: WireProcedure, decoded: unknown): unknown {
  const reply: WireReply = p.reply ?? { kind: 'none' };
  switch (reply.kind) {
    case 'none': case 'stream': case 'zero': return undefined;
    case 'self': {
      const arg = p.argMap!.find((a) => a.arg === 0)!;
      return fromWire(arg.shape, (decoded as Record<string, unknown>)[reply.member]);
    }
    case 'record': return fromWire(reply.shape, decoded);
    case 'value': return fromWire(reply.shape, (decoded as Record<string, unknown>)[reply.member]);
  }
}

/** An event (`{kind, domain, ...fields}`) as the XDR value of its message procedure. */
export function eventToWire(p: WireProcedure, callbackId: number, event: object): unknown {
  const msg = toWire(p.message!, event) as Record<string, unknown>;
  if (!p.callback) return msg;
  if (p.flat) return { callbackID: callbackId, ...msg };
  return { callbackID: callbackId, ...(p.outer ? toWire(p.outer, event) as Record<string, unknown> : {}), msg };
}

/** An event message's decoded XDR value as the event and the registration it is for (-1: the legacy form names none). */
export function eventFromWire(p: WireProcedure, decoded: unknown): { callbackId: number; event: Record<string, unknown> } {
  const outer = decoded as { callbackID: number; msg: unknown };
  const wrapped = p.callback && !p.flat;
  const fields = fromWire(p.message!, wrapped ? outer.msg : decoded) as Record<string, unknown>;
  const beside = wrapped && p.outer ? fromWire(p.outer, decoded) as Record<string, unknown> : {};
  return { callbackId: p.callback ? outer.callbackID : -1, event: { kind: p.event, ...beside, ...fields } };
}

/** libvirt's remote_error: a VirError as it crosses libvirt's protocol. */
export interface RemoteErrorValue {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  dom: unknown;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
  net: unknown;
}

export function errorToWire(e: VirErrorData): RemoteErrorValue {
  return {
    code: e.code, domain: e.domain, message: e.message, level: e.level, dom: null,
    str1: e.str1 ?? null, str2: e.str2 ?? null, str3: e.str3 ?? null, int1: e.int1 ?? -1, int2: e.int2 ?? -1, net: null,
  };
}

export function errorFromWire(v: RemoteErrorValue): Required<VirErrorData> {
  return {
    code: v.code, domain: v.domain, level: v.level, message: v.message ?? '',
    str1: v.str1, str2: v.str2, str3: v.str3, int1: v.int1, int2: v.int2,
  };
}
