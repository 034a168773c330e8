import { isUtf8 } from 'node:buffer';
import type { VirErrorData } from '../errors/vir-error.js';
import { allocFrame, type FrameHeader } from './frame-codec.js';
import { FrameSize } from './rpc-constants.js';
import { RpcProtocolError } from './rpc-error.js';

/** An error reply's body as decoded: every field present, as libvirt's remote_error has them. */
export type RpcErrorBody = Required<VirErrorData>;

const { DEFAULT_MAX_BODY, DEFAULT_MAX_MESSAGE } = FrameSize;

/** A hint for bodies sent in another encoding, which otherwise fail obscurely. */
function encodingHint(body: Uint8Array): string {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return ' (it starts with a UTF-8 byte-order mark, which JSON bodies must not carry)';
  }
  if (body.length >= 2 && ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff))) {
    return ' (it starts with a UTF-16 byte-order mark)';
  }
  // JSON text starts with ASCII, so a NUL among its first bytes means UTF-16 or UTF-32.
  if (body.subarray(0, 4).includes(0)) return ' (it looks like UTF-16 or UTF-32)';
  return '';
}

/** A value's JSON text; `undefined` (no arguments, void reply) is the empty text. */
function jsonText(value: unknown): string {
  if (value === undefined) return '';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new RpcProtocolError('bad-json', `the value cannot be sent as JSON: ${(e as Error).message}`, { cause: e });
  }
  // stringify gives undefined, not an error, for a function or symbol.
  if (text === undefined) throw new RpcProtocolError('bad-json', `a ${typeof value} cannot be sent as JSON`);
  return text;
}

function checkBodySize(length: number, maxBody: number): void {
  if (length > maxBody) throw new RpcProtocolError('too-long', `the JSON body is ${length} bytes, above the maximum of ${maxBody}`);
}

/** A value as a JSON body; `undefined` (no arguments, void reply) is the empty body. */
export function encodeJsonBody(value: unknown, maxBody: number = DEFAULT_MAX_BODY): Buffer {
  const body = Buffer.from(jsonText(value), 'utf8');
  checkBodySize(body.length, maxBody);
  return body;
}

/**
 * A whole frame whose body is a value's JSON: the text is written straight into the
 * frame's one buffer (calls, replies and events, both ways, take this path).
 */
export function encodeJsonFrame(header: FrameHeader, value: unknown, maxMessage: number = DEFAULT_MAX_MESSAGE): Buffer {
  const text = jsonText(value);
  const length = Buffer.byteLength(text, 'utf8');
  checkBodySize(length, maxMessage - FrameSize.HEADER);
  const frame = allocFrame(header, length, maxMessage);
  frame.write(text, FrameSize.MIN_FRAME, length, 'utf8');
  return frame;
}

/** A JSON body's value; the empty body is `undefined`. */
export function decodeJsonBody(body: Uint8Array, maxBody: number = DEFAULT_MAX_BODY): unknown {
  if (body.byteLength > maxBody) {
    throw new RpcProtocolError('too-long', `the JSON body is ${body.byteLength} bytes, above the maximum of ${maxBody}`);
  }
  if (body.byteLength === 0) return undefined;
  if (!isUtf8(body)) throw new RpcProtocolError('bad-utf8', `the body is not valid UTF-8${encodingHint(body)}`);
  try {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    return JSON.parse(text);
  } catch (e) {
    throw new RpcProtocolError('bad-json', `the body is not valid JSON: ${(e as Error).message}${encodingHint(body)}`, { cause: e });
  }
}

/** An error reply's body as a value: the nine fields in libvirt's order, absent ones filled as VirError does. */
export function errorBodyOf(error: VirErrorData): RpcErrorBody {
  return {
    code: error.code,
    domain: error.domain,
    level: error.level,
    message: error.message,
    str1: error.str1 ?? null,
    str2: error.str2 ?? null,
    str3: error.str3 ?? null,
    int1: error.int1 ?? -1,
    int2: error.int2 ?? -1,
  };
}

/** An error reply's body, encoded. */
export function encodeErrorBody(error: VirErrorData, maxBody: number = DEFAULT_MAX_BODY): Buffer {
  return encodeJsonBody(errorBodyOf(error), maxBody);
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isOptionalInt = (v: unknown): v is number | undefined => v === undefined || isInt(v);
const isOptionalString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';

/**
 * An error reply's body as plain data, checked field by field (the caller makes the
 * VirError). Unknown fields are ignored, so that a newer peer may add some.
 */
export function decodeErrorBody(body: Uint8Array, maxBody: number = DEFAULT_MAX_BODY): RpcErrorBody {
  const value = decodeJsonBody(body, maxBody);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === undefined ? 'empty' : Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    throw new RpcProtocolError('bad-error-body', `an error reply's body must be a JSON object, it is ${what}`);
  }
  const v = value as Record<string, unknown>;
  const wrong = [
    !isInt(v.code) && 'code',
    !isInt(v.domain) && 'domain',
    !isInt(v.level) && 'level',
    typeof v.message !== 'string' && 'message',
    !isOptionalString(v.str1) && 'str1',
    !isOptionalString(v.str2) && 'str2',
    !isOptionalString(v.str3) && 'str3',
    !isOptionalInt(v.int1) && 'int1',
    !isOptionalInt(v.int2) && 'int2',
  ].filter((name) => name !== false);
  if (wrong.length > 0) {
    throw new RpcProtocolError('bad-error-body', `an error reply's body has missing or mistyped fields: ${wrong.join(', ')}`);
  }
  return {
    code: v.code as number,
    domain: v.domain as number,
    level: v.level as number,
    message: v.message as string,
    str1: (v.str1 as string | null | undefined) ?? null,
    str2: (v.str2 as string | null | undefined) ?? null,
    str3: (v.str3 as string | null | undefined) ?? null,
    int1: (v.int1 as number | undefined) ?? -1,
    int2: (v.int2 as number | undefined) ?? -1,
  };
}
