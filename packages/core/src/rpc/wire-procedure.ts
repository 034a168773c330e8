import type { XdrType } from './xdr/xdr-types.js';

/**
 * How an API value and its XDR form correspond (generated per procedure from api.xml:
 * the API's types on one side, libvirt's structures on the other).
 * - `plain`: numbers, strings and enum values as they are;
 * - `bool`: a boolean as libvirt's int 0 or 1;
 * - `uuid`: the text form and libvirt's 16 bytes;
 * - `optional`: undefined and XDR's absent pointer;
 * - `list`: each item by `of`;
 * - `record`: an object, field by field (`member` null: not on the wire, the API side gets `fill`);
 * - `wrap`: an object of one field (`field`) and a bare value on the wire (a node device by its name);
 * - `nameOf`: a name and a whole structure on the wire that carries it (a snapshot's domain);
 * - `chars`: text and C's char array, one byte per word, NUL-terminated;
 * - `params`: typed parameters (libvirt's remote_typed_param list);
 * - `stats`: named 64-bit counters (`{field, value}` list) as typed parameters;
 * - `bitmap`: a list of CPU numbers and libvirt's CPU bitmap bytes (in a record, `bits`: the
 *   field that says how many CPUs the map has room for);
 * - `byUuid`: a UUID on the API side and the whole reference on the wire (the daemon looks the
 *   object up first: see `resolveByUuid`).
 */
export type WireShape =
  | { readonly k: 'plain' | 'bool' | 'uuid' | 'params' | 'stats' }
  | { readonly k: 'bitmap'; readonly bits?: string }
  | { readonly k: 'byUuid'; readonly of: WireShape }
  /** `size`: a fixed array's length, NULs after the text */
  | { readonly k: 'chars'; readonly size?: number }
  | { readonly k: 'optional' | 'list'; readonly of: WireShape }
  | { readonly k: 'record'; readonly fields: readonly WireField[] }
  | { readonly k: 'wrap'; readonly field: string; readonly of: WireShape }
  | { readonly k: 'nameOf'; readonly type: XdrType };

export interface WireField {
  readonly api: string;
  readonly member: string | null;
  readonly shape: WireShape;
  readonly fill?: string | number;
}

/**
 * A member of a call's arguments: the API argument it carries (its index, the object
 * itself first), or what a client sends in it: a constant (`send`), or what the call's
 * reply is to hold (`carries`: the bytes of each CPU map, the most items, the objects
 * the reply's list is narrowed to; a client supplies these by the member's name).
 */
export interface WireArg {
  readonly member: string;
  readonly arg: number | null;
  readonly send?: number;
  readonly carries?: 'map-length' | 'max-items' | 'narrow';
  readonly shape: WireShape;
}

/**
 * A reply whose value's CPU lists travel as one opaque member (`maps`) of CPU maps end to
 * end, each as long as the call's `mapLength` member says, as many as its `maxItems`
 * member (one without): `field` is the items' CPU list (none: the value is one CPU list),
 * `index` the items' field that is their position, `info` the array member that carries
 * the items' other fields.
 */
export interface WireMapsReply {
  readonly kind: 'maps';
  readonly maps: string;
  readonly field: string | null;
  readonly index: string | null;
  readonly info: { readonly member: string; readonly shape: WireShape } | null;
  readonly mapLength: string;
  readonly maxItems: string | null;
  readonly counts: readonly string[];
}

/**
 * What a reply carries: nothing; the call's value in one member (with members that count
 * arrays); the value's fields across the members (`record`, with members that count a
 * field's list); the value's CPU lists as CPU maps (`maps`); the object the call was made
 * on (`self`: a domain that has taken a new id); or zeros where the API call returns nothing.
 */
export type WireReply =
  | { readonly kind: 'none' | 'zero' | 'stream' }
  | { readonly kind: 'value'; readonly member: string; readonly shape: WireShape; readonly counts: readonly (readonly [count: string, of: string])[] }
  | { readonly kind: 'record'; readonly shape: WireShape; readonly counts: readonly (readonly [count: string, of: string])[] }
  | WireMapsReply
  | { readonly kind: 'self'; readonly member: string };

/** A procedure of one of libvirt's programs, as generated from api.xml. */
export interface WireProcedure {
  readonly number: number;
  readonly name: string;
  /** XDR type of the call's body (an event's body, for an event), null when empty */
  readonly args: XdrType | null;
  readonly ret: XdrType | null;
  /** `api`: the API call `call` (a driver name of procedures.gen.ts); `session`: the connection's own; `event`: carries the event `event` */
  readonly served: 'api' | 'session' | 'event' | 'unmapped';
  readonly call?: string;
  /** for `api`: the call's procedure number in tsvirt's own table (procedures.gen.ts); another than `number` for libvirt's older variants */
  readonly apiProc?: number;
  readonly argMap?: readonly WireArg[];
  readonly reply?: WireReply;
  readonly event?: string;
  /** for `event`: the message's shape (the domain and the event's fields), and whether it is a callback form ({callbackID, msg}) */
  readonly message?: WireShape;
  readonly callback?: boolean;
  /** for a callback form: whether it is libvirt's newer flat one ({callbackID, dom, ...}), and the shape of members beside `msg` in the wrapping one */
  readonly flat?: boolean;
  readonly outer?: WireShape;
  /** for `unmapped`: what the API and the wire do not yet agree on */
  readonly why?: string;
}
