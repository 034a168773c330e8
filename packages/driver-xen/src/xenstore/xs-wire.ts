// The xenstore wire protocol (xen/include/public/io/xs_wire.h): a 16-byte header of
// four little-endian 32-bit words (type, request id, transaction id, payload length)
// and a payload of at most 4096 bytes. Pure: bytes in, messages out, no sockets.
// The peer is another program: every length is checked before it is trusted.

/** Message types, xs_wire.h's enum xsd_sockmsg_type. */
export const XsType = {
  CONTROL: 0,
  DIRECTORY: 1,
  READ: 2,
  GET_PERMS: 3,
  WATCH: 4,
  UNWATCH: 5,
  TRANSACTION_START: 6,
  TRANSACTION_END: 7,
  INTRODUCE: 8,
  RELEASE: 9,
  GET_DOMAIN_PATH: 10,
  WRITE: 11,
  MKDIR: 12,
  RM: 13,
  SET_PERMS: 14,
  WATCH_EVENT: 15,
  ERROR: 16,
  IS_DOMAIN_INTRODUCED: 17,
  RESUME: 18,
  SET_TARGET: 19,
  RESET_WATCHES: 21,
  DIRECTORY_PART: 22,
} as const;

export const HEADER_SIZE = 16;
/** XENSTORE_PAYLOAD_MAX */
export const PAYLOAD_MAX = 4096;
/** XENSTORE_ABS_PATH_MAX */
export const ABS_PATH_MAX = 3072;

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Buffer;
}

/** Bytes the peer sent that are not the protocol: the connection cannot go on. */
export class XsProtocolError extends Error {
  override name = 'XsProtocolError';
}

export function encodeMessage(m: XsMessage): Buffer {
  if (m.payload.length > PAYLOAD_MAX) throw new RangeError(`xenstore payload of ${m.payload.length} bytes exceeds ${PAYLOAD_MAX}`);
  const out = Buffer.allocUnsafe(HEADER_SIZE + m.payload.length);
  out.writeUInt32LE(m.type, 0);
  out.writeUInt32LE(m.reqId >>> 0, 4);
  out.writeUInt32LE(m.txId >>> 0, 8);
  out.writeUInt32LE(m.payload.length, 12);
  m.payload.copy(out, HEADER_SIZE);
  return out;
}

/**
 * Whole messages from a byte stream that arrives in arbitrary pieces. Holds at most
 * one message's bytes; a declared length over PAYLOAD_MAX is a protocol error.
 */
export class XsDecoder {
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** The messages completed by `chunk`, in order. */
  push(chunk: Buffer): XsMessage[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const out: XsMessage[] = [];
    while (this.#buffered >= HEADER_SIZE) {
      const head = this.#peek(HEADER_SIZE);
      const len = head.readUInt32LE(12);
      if (len > PAYLOAD_MAX) throw new XsProtocolError(`xenstore message declares ${len} payload bytes, more than ${PAYLOAD_MAX}`);
      if (this.#buffered < HEADER_SIZE + len) break;
      const whole = this.#take(HEADER_SIZE + len);
      out.push({ type: whole.readUInt32LE(0), reqId: whole.readUInt32LE(4), txId: whole.readUInt32LE(8), payload: whole.subarray(HEADER_SIZE) });
    }
    return out;
  }

  /** Bytes held for a message not yet complete. */
  get pending(): number {
    return this.#buffered;
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0].length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0].subarray(0, n);
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    const rest = all.subarray(n);
    this.#chunks = rest.length ? [rest] : [];
    this.#buffered = rest.length;
    // a copy: the message must not keep the rest of a large chunk alive
    return Buffer.from(all.subarray(0, n));
  }
}

/** Strings each followed by a NUL: a path, a watch token, a directory listing, permissions. */
export function encodeStrings(parts: readonly string[]): Buffer {
  return Buffer.from(parts.map((p) => `${p}\0`).join(''), 'utf8');
}

/** A path and a value: the value is raw bytes with no NUL after it (XS_WRITE). */
export function encodePathValue(path: string, value: Buffer | string): Buffer {
  return Buffer.concat([encodeStrings([path]), typeof value === 'string' ? Buffer.from(value, 'utf8') : value]);
}

/** The NUL-terminated strings of a payload; a last string without its NUL counts too (some replies omit it). */
export function decodeStrings(payload: Buffer): string[] {
  if (payload.length === 0) return [];
  const text = payload.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The one string of a payload ("OK", an errno name, a transaction id, a domain path). */
export const decodeString = (payload: Buffer): string => decodeStrings(payload)[0] ?? '';

/** One entry of a node's permissions: the first names the owner and what every other domain may do. */
export interface XsPerm {
  domid: number;
  read: boolean;
  write: boolean;
}

const PERM_LETTER = { n: [false, false], r: [true, false], w: [false, true], b: [true, true] } as const;

export function formatPerm(p: XsPerm): string {
  if (!Number.isInteger(p.domid) || p.domid < 0 || p.domid > 0xffff) throw new RangeError(`domain id ${p.domid} out of range`);
  return `${p.read ? (p.write ? 'b' : 'r') : p.write ? 'w' : 'n'}${p.domid}`;
}

export function parsePerm(text: string): XsPerm {
  const m = /^([nrwb])(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 0xffff) throw new XsProtocolError(`bad xenstore permission '${text.slice(0, 20)}'`);
  const [read, write] = PERM_LETTER[m[1] as keyof typeof PERM_LETTER];
  return { domid: Number(m[2]), read, write };
}
