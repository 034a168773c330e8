import type { VirErrorData } from '../errors/vir-error.js';
import type { TypedParams } from '../gen/api.gen.js';
import { remoteTypedParamTypes } from '../gen/remote-program.gen.js';
import type { WireMapsReply, WireProcedure, WireReply, WireShape } from './wire-procedure.js';
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

/** A CPU list as libvirt's bitmap: `size` bytes (CPUs beyond them left out), or as many as its highest CPU needs. */
function bitmapBytes(cpus: unknown, path: string, size?: number): Buffer {
  if (!Array.isArray(cpus) || !cpus.every((c) => Number.isSafeInteger(c) && c >= 0 && c < 0x10000)) throw new XdrError(path, 'a list of CPU numbers');
  const bytes = Buffer.alloc(size ?? (cpus.length ? (Math.max(...cpus) >> 3) + 1 : 0));
  for (const c of cpus as number[]) if (c >> 3 < bytes.length) bytes[c >> 3]! |= 1 << (c & 7);
  return bytes;
}

function bitmapCpus(bytes: Uint8Array): number[] {
  const cpus: number[] = [];
  bytes.forEach((b, i) => {
    for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) cpus.push(i * 8 + bit);
  });
  return cpus;
}

/** The bounds of each integer type of libvirt's typed parameters. */
const INTEGER_RANGE: Record<number, readonly [number, number]> = {
  [TypedParamType.INT]: [-0x80000000, 0x7fffffff], [TypedParamType.UINT]: [0, 0xffffffff],
  [TypedParamType.LLONG]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], [TypedParamType.ULLONG]: [0, Number.MAX_SAFE_INTEGER],
};
const ARM: Record<number, string> = { 1: 'i', 2: 'ui', 3: 'l', 4: 'ul', 5: 'd', 6: 'b', 7: 's' };

/** A typed parameter of a name libvirt gives a type (api.xml's table): that type, or an error where the value cannot have it. */
function declaredParam(field: string, type: number, value: unknown, path: string): unknown {
  const wrong = () => new XdrError(path, `typed parameter '${field}' is libvirt's ${Object.keys(TypedParamType).find((k) => TypedParamType[k as keyof typeof TypedParamType] === type)!.toLowerCase()}, not ${JSON.stringify(value)}`);
  if (type === TypedParamType.STRING) {
    if (typeof value !== 'string') throw wrong();
    return { field, value: { type, s: value } };
  }
  if (type === TypedParamType.BOOLEAN) {
    if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw wrong();
    return { field, value: { type, b: value ? 1 : 0 } };
  }
  if (typeof value !== 'number') throw wrong();
  const range = INTEGER_RANGE[type];
  if (range !== undefined && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) throw wrong();
  return { field, value: { type, [ARM[type]!]: value } };
}

function typedParam(field: string, value: unknown, path: string): unknown {
  const declared = remoteTypedParamTypes.get(field.replace(/\.\d+(?=\.|$)/g, '.*'));
  if (declared !== undefined) return declaredParam(field, declared, value, path);
  // a name api.xml does not know: the type its value suggests
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
    case 'byUuid':
      // the daemon has put the object's reference in place of its UUID (resolveByUuid)
      if (typeof value !== 'object' || value === null) throw new XdrError(path, 'an object looked up by its UUID');
      return toWire(shape.of, value, path);
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
      const v = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of shape.fields) {
        if (f.member === null) continue;
        // a CPU map as long as the record says the host's CPUs need
        out[f.member] = f.shape.k === 'bitmap' && f.shape.bits !== undefined
          ? bitmapBytes(v[f.api], `${path}.${f.api}`, Math.ceil(Number(v[f.shape.bits]) / 8) || 0)
          : toWire(f.shape, v[f.api], `${path}.${f.api}`);
      }
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
    case 'byUuid': return (fromWire(shape.of, value) as { uuid: string }).uuid;
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

/** The XDR type of a member of a procedure's call or reply. */
function memberType(type: XdrType | null, member: string): XdrType {
  const field = type?.kind === 'struct' ? type.fields.find((f) => f.name === member) : undefined;
  if (field === undefined) throw new XdrError(member, 'a member of the structure');
  return field.type;
}

/**
 * An API call's arguments (the object first) as the XDR value of the procedure's call;
 * `members`: the values of members that carry no API argument (a CPU map's length), by
 * name; one not given is sent as zeros (an empty list of objects to narrow to: none).
 */
export function callArgsToWire(p: WireProcedure, args: readonly unknown[], members: Readonly<Record<string, unknown>> = {}): unknown {
  if (p.args === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const a of p.argMap ?? []) {
    if (a.arg !== null) out[a.member] = toWire(a.shape, args[a.arg], a.member);
    else out[a.member] = a.send ?? members[a.member] ?? zeroOf(memberType(p.args, a.member));
  }
  return out;
}

/**
 * How many CPU maps a `maps` reply holds and the bytes of each, as the call asked, checked
 * against the reply's maximum before anything is made: a call that asks for more is refused.
 */
export function mapsLayout(p: WireProcedure, call: Readonly<Record<string, unknown>>): { items: number; mapLength: number } {
  const reply = p.reply as WireMapsReply;
  const mapLength = Number(call[reply.mapLength]);
  const items = reply.maxItems === null ? 1 : Number(call[reply.maxItems]);
  const max = (t: XdrType) => ('max' in t ? t.max : 0);
  const itemsMax = reply.info === null ? Infinity : max(memberType(p.ret, reply.info.member));
  if (!(mapLength > 0)) throw new XdrError(reply.mapLength, 'a CPU map length greater than zero');
  if (!(items > 0) || items > itemsMax) throw new XdrError(reply.maxItems!, `a count from 1 to ${itemsMax}`);
  if (items * mapLength > max(memberType(p.ret, reply.maps))) throw new XdrError(reply.maps, `${reply.maxItems ?? 1} * ${reply.mapLength} within ${max(memberType(p.ret, reply.maps))} bytes`);
  return { items, mapLength };
}

function mapsToWire(p: WireProcedure, reply: WireMapsReply, value: unknown, call: Readonly<Record<string, unknown>>): unknown {
  const { items: most, mapLength } = mapsLayout(p, call);
  const items = (reply.field === null && reply.index === null && reply.info === null ? [value] : (value as unknown[])).slice(0, most);
  const maps = Buffer.alloc(most * mapLength);
  items.forEach((item, i) => {
    const cpus = reply.field === null ? item : (item as Record<string, unknown>)[reply.field];
    bitmapBytes(cpus, `${reply.maps}[${i}]`, mapLength).copy(maps, i * mapLength);
  });
  const out: Record<string, unknown> = { [reply.maps]: maps };
  if (reply.info !== null) out[reply.info.member] = toWire(reply.info.shape, items, reply.info.member);
  for (const count of reply.counts) out[count] = items.length;
  return out;
}

function mapsFromWire(reply: WireMapsReply, decoded: Record<string, unknown>, call: Readonly<Record<string, unknown>>): unknown {
  const maps = decoded[reply.maps] as Uint8Array;
  const info = reply.info === null ? null : (fromWire(reply.info.shape, decoded[reply.info.member]) as Record<string, unknown>[]);
  const count = info?.length ?? (reply.counts.length ? Number(decoded[reply.counts[0]!]) : 1);
  // the length the call asked for, or the maps' bytes shared among the items
  const mapLength = Number(call[reply.mapLength] ?? (count > 0 ? Math.floor(maps.length / count) : 0));
  const cpusOf = (i: number) => bitmapCpus(maps.subarray(i * mapLength, (i + 1) * mapLength));
  if (reply.field === null && reply.index === null && info === null) return count > 0 ? cpusOf(0) : [];
  return Array.from({ length: count }, (_, i) => ({
    ...(reply.index === null ? {} : { [reply.index]: i }), ...info?.[i], ...(reply.field === null ? {} : { [reply.field]: cpusOf(i) }),
  }));
}

/**
 * An API call's value as the XDR value of the procedure's reply. `self`: the object the
 * call was made on, as the reply names it (a domain with the id the call gave it); `call`:
 * the call's XDR value (what a `maps` reply's layout follows).
 */
export function replyToWire(p: WireProcedure, value: unknown, self?: unknown, call: Readonly<Record<string, unknown>> = {}): unknown {
  const reply: WireReply = p.reply ?? { kind: 'none' };
  switch (reply.kind) {
    case 'none': case 'stream': return undefined;
    case 'zero': return zeroOf(p.ret!);
    case 'self': {
      const arg = p.argMap!.find((a) => a.arg === 0)!;
      return { [reply.member]: toWire(arg.shape, self) };
    }
    case 'record': {
      const out = toWire(reply.shape, value) as Record<string, unknown>;
      for (const [count, of] of reply.counts) out[count] = ((value as Record<string, unknown[]>)[of] ?? []).length;
      return out;
    }
    case 'maps': return mapsToWire(p, reply, value, call);
    case 'value': {
      const wire = toWire(reply.shape, value, reply.member);
      const out: Record<string, unknown> = { [reply.member]: wire };
      for (const [count, of] of reply.counts) out[count] = (out[of] as unknown[]).length;
      return out;
    }
  }
}

/** A procedure's decoded XDR reply as the API call's value; `call`: the members the call carried beside the API's arguments (a CPU map's length). */
export function replyFromWire(p: WireProcedure, decoded: unknown, call: Readonly<Record<string, unknown>> = {}): unknown {
  const reply: WireReply = p.reply ?? { kind: 'none' };
  switch (reply.kind) {
    case 'none': case 'stream': case 'zero': return undefined;
    case 'self': {
      const arg = p.argMap!.find((a) => a.arg === 0)!;
      return fromWire(arg.shape, (decoded as Record<string, unknown>)[reply.member]);
    }
    case 'record': return fromWire(reply.shape, decoded);
    case 'maps': return mapsFromWire(reply, decoded as Record<string, unknown>, call);
    case 'value': return fromWire(reply.shape, (decoded as Record<string, unknown>)[reply.member]);
  }
}

/** The shape of a reply's value, where it has one. */
const valueShape = (reply: WireReply | undefined): WireShape | null => (reply?.kind === 'value' || reply?.kind === 'record' ? reply.shape : null);

/**
 * A reply's value with each object its API side names by UUID alone (`byUuid`) replaced
 * by the object's reference, as `lookup` finds it (the wire names the object whole).
 */
export async function resolveByUuid(p: WireProcedure, value: unknown, lookup: (uuid: string) => Promise<unknown>): Promise<unknown> {
  const walk = async (shape: WireShape, v: unknown): Promise<unknown> => {
    switch (shape.k) {
      case 'byUuid': return lookup(v as string);
      case 'optional': return v === undefined || v === null ? v : walk(shape.of, v);
      case 'list': return Array.isArray(v) ? Promise.all(v.map((x) => walk(shape.of, x))) : v;
      case 'record': {
        if (typeof v !== 'object' || v === null) return v;
        const out: Record<string, unknown> = { ...v };
        for (const f of shape.fields) out[f.api] = await walk(f.shape, out[f.api]);
        return out;
      }
      default: return v;
    }
  };
  const shape = valueShape(p.reply);
  return shape === null ? value : walk(shape, value);
}

/**
 * A list reply narrowed to the objects the call's `narrow` member names, in their order
 * (an empty list narrows nothing); items name their object by UUID.
 */
export function narrowReply(p: WireProcedure, value: unknown, call: Readonly<Record<string, unknown>>): unknown {
  const narrow = p.argMap?.find((a) => a.carries === 'narrow');
  const shape = valueShape(p.reply);
  const named = narrow === undefined ? [] : (call[narrow.member] as unknown[]);
  if (named.length === 0 || shape?.k !== 'list' || shape.of.k !== 'record' || !Array.isArray(value)) return value;
  const key = shape.of.fields.find((f) => f.shape.k === 'byUuid' || f.shape.k === 'uuid')?.api;
  if (key === undefined) return value;
  const uuids = (fromWire(narrow!.shape, named) as { uuid: string }[]).map((r) => r.uuid);
  const byUuid = new Map((value as Record<string, unknown>[]).map((item) => [item[key], item]));
  return uuids.flatMap((u) => (byUuid.has(u) ? [byUuid.get(u)] : []));
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
