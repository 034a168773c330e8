import { isUtf8 } from 'node:buffer';
import { XdrError } from './xdr-error.js';
import { INT_RANGES, isIntKind, minEncodedSize, padded, type XdrType } from './xdr-types.js';

/**
 * Decodes one XDR value from a body. Every length is checked against its declared
 * maximum and against the bytes that remain before anything is allocated for it; a
 * body with bytes left over, or padding that is not zeros, is refused: a value's
 * encoding is exact.
 */
export function decodeXdr(type: XdrType, body: Uint8Array, what = ''): unknown {
  const reader = new XdrReader(body);
  const value = reader.read(type, what);
  if (reader.remaining !== 0) throw new XdrError(what, `${reader.remaining} bytes follow the value`);
  return value;
}

class XdrReader {
  readonly #buf: Buffer;
  #at = 0;

  constructor(body: Uint8Array) {
    this.#buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  get remaining(): number {
    return this.#buf.length - this.#at;
  }

  #need(n: number, path: string, what: string): void {
    if (this.remaining < n) throw new XdrError(path, `truncated: ${what} needs ${n} bytes, ${this.remaining} remain`);
  }

  #word(path: string): number {
    this.#need(4, path, 'a word');
    const v = this.#buf.readUInt32BE(this.#at);
    this.#at += 4;
    return v;
  }

  /** A length or count, checked against its maximum and against the bytes left for `unit` bytes per item. */
  #count(path: string, max: number, unit: number, what: string): number {
    const n = this.#word(path);
    if (n > max) throw new XdrError(path, `${what} ${n} is above the maximum of ${max}`);
    if (n * unit > this.remaining) throw new XdrError(path, `truncated: ${what} ${n} needs ${n * unit} bytes, ${this.remaining} remain`);
    return n;
  }

  #bytes(n: number, path: string): Buffer {
    this.#need(padded(n), path, `${n} bytes and their padding`);
    const out = Buffer.from(this.#buf.subarray(this.#at, this.#at + n));
    // XDR's padding is zeros: anything else is not an encoding of any value
    for (let i = this.#at + n; i < this.#at + padded(n); i++) if (this.#buf[i] !== 0) throw new XdrError(path, 'padding bytes that are not zero');
    this.#at += padded(n);
    return out;
  }

  read(type: XdrType, path: string): unknown {
    const kind = type.kind;
    if (isIntKind(kind)) {
      this.#need(4, path, kind);
      const signed = kind === 'int' || kind === 'char' || kind === 'short';
      const v = signed ? this.#buf.readInt32BE(this.#at) : this.#buf.readUInt32BE(this.#at);
      this.#at += 4;
      const [min, max] = INT_RANGES[kind];
      if (v < min || v > max) throw new XdrError(path, `${v} is outside ${kind}'s range ${min} to ${max}`);
      return v;
    }
    switch (type.kind) {
      case 'void':
        return undefined;
      case 'hyper':
      case 'uhyper': {
        this.#need(8, path, type.kind);
        const v = type.kind === 'hyper' ? this.#buf.readBigInt64BE(this.#at) : this.#buf.readBigUInt64BE(this.#at);
        this.#at += 8;
        // exact as a number where a number can hold it
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 'bool': {
        const v = this.#word(path);
        if (v > 1) throw new XdrError(path, `a boolean is 0 or 1, not ${v}`);
        return v === 1;
      }
      case 'float': {
        this.#need(4, path, 'float');
        const v = this.#buf.readFloatBE(this.#at);
        this.#at += 4;
        return v;
      }
      case 'double': {
        this.#need(8, path, 'double');
        const v = this.#buf.readDoubleBE(this.#at);
        this.#at += 8;
        return v;
      }
      case 'string': {
        const n = this.#count(path, type.max, 1, 'string length');
        const bytes = this.#bytes(n, path);
        // names, paths and XML become C strings and file names on the other side
        if (bytes.includes(0)) throw new XdrError(path, 'a string holds a NUL byte');
        if (!isUtf8(bytes)) throw new XdrError(path, 'a string is not UTF-8');
        return bytes.toString('utf8');
      }
      case 'opaque':
        return this.#bytes(this.#count(path, type.max, 1, 'opaque length'), path);
      case 'fixed-opaque':
        return this.#bytes(type.size, path);
      case 'optional': {
        const present = this.#word(path);
        if (present > 1) throw new XdrError(path, `an optional value's flag is 0 or 1, not ${present}`);
        return present === 1 ? this.read(type.of, path) : null;
      }
      case 'array': {
        const n = this.#count(path, type.max, minEncodedSize(type.of), 'array count');
        return this.#items(type.of, n, path);
      }
      case 'fixed-array':
        this.#need(type.size * minEncodedSize(type.of), path, `${type.size} items`);
        return this.#items(type.of, type.size, path);
      case 'struct': {
        const out: Record<string, unknown> = {};
        for (const f of type.fields) out[f.name] = this.read(f.type, path ? `${path}.${f.name}` : f.name);
        return out;
      }
      case 'union': {
        this.#need(4, path, 'a union discriminant');
        const d = this.#buf.readInt32BE(this.#at);
        this.#at += 4;
        const arm = type.arms.find((a) => a.when === d);
        if (!arm) throw new XdrError(path, `${type.name} has no arm for ${type.discriminant} ${d}`);
        const out: Record<string, unknown> = { [type.discriminant]: d };
        if (arm.type.kind !== 'void') out[arm.name] = this.read(arm.type, path ? `${path}.${arm.name}` : arm.name);
        return out;
      }
    }
  }

  #items(of: XdrType, n: number, path: string): unknown[] {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.read(of, `${path}[${i}]`);
    return out;
  }
}
