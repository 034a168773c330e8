import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

// JSON has no byte strings: tsvirt's JSON program carries api.xml's `bytes` (a secret's
// value) as base64 text, converted where the procedure table says a value is bytes.

/** What the conversion needs of a procedure: the types of its arguments and of its reply. */
interface BytesSites { readonly c: string; readonly args: readonly { readonly type: string }[]; readonly returns: string }

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a procedure has a byte string among its arguments or as its reply. */
export const carriesBytes = (p: BytesSites): boolean => p.returns === 'bytes' || p.args.some((a) => a.type === 'bytes');

const toText = (v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v);

/** Base64 text as bytes; anything else that claims to be bytes is refused, as any malformed call is. */
function fromText(c: string, v: unknown): unknown {
  if (v === undefined) return v;
  if (typeof v !== 'string' || !BASE64.test(v)) throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `${c}: a byte string travels as base64 text`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

/** A call's arguments as they travel in JSON. */
export const argsToJson = (p: BytesSites, args: readonly unknown[]): unknown[] => args.map((v, i) => (p.args[i]?.type === 'bytes' ? toText(v) : v));

/** A call's arguments as they came in JSON. */
export const argsFromJson = (p: BytesSites, args: readonly unknown[]): unknown[] => args.map((v, i) => (p.args[i]?.type === 'bytes' ? fromText(p.c, v) : v));

/** A reply's value as it travels in JSON. */
export const resultToJson = (p: BytesSites, value: unknown): unknown => (p.returns === 'bytes' ? toText(value) : value);

/** A reply's value as it came in JSON. */
export const resultFromJson = (p: BytesSites, value: unknown): unknown => (p.returns === 'bytes' ? fromText(p.c, value) : value);
