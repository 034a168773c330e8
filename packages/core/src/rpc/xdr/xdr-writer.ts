import { XdrError } from './xdr-error.js';
import { INT_RANGES, isIntKind, padded, type XdrType } from './xdr-types.js';

/** A value's XDR encoding, checked against its type (ranges, maximum lengths, union arms). */
export function encodeXdr(type: XdrType, value: unknown, what = ''): Buffer {
  const writer = new XdrWriter();
  writer.write(type, value, what);
  return writer.bytes();
}

const BIG = { hyper: [-(2n ** 63n), 2n ** 63n - 1n], uhyper: [0n, 2n ** 64n - 1n] } as const;

class XdrWriter {
  #buf = Buffer.allocUnsafe(256);
  #at = 0;

  bytes(): Buffer {
    return this.#buf.subarray(0, this.#at);
  }

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#buf.copy(grown, 0, 0, this.#at);
    this.#buf = grown;
  }

  #word(v: number, path: string): void {
    this.#room(4);
    this.#buf.writeUInt32BE(v >>> 0, this.#at);
    this.#at += 4;
  }

  #opaque(bytes: Uint8Array, path: string, withLength: boolean): void {
    if (withLength) this.#word(bytes.length, path);
    const n = padded(bytes.length);
    this.#room(n);
    this.#buf.set(bytes, this.#at);
    this.#buf.fill(0, this.#at + bytes.length, this.#at + n);
    this.#at += n;
  }

  write(type: XdrType, value: unknown, path: string): void {
    const kind = type.kind;
    if (isIntKind(kind)) {
      const [min, max] = INT_RANGES[kind];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new XdrError(path, `${kind} must be an integer from ${min} to ${max}, not ${String(value)}`);
      }
      this.#word(value, path);
      return;
    }
    switch (type.kind) {
      case 'void':
        return;
      case 'hyper':
      case 'uhyper': {
        const [min, max] = BIG[type.kind];
        // a number past 2^53 is still an integer (the nearest double): it is sent as it is
        const big = typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
        if (typeof big !== 'bigint' || big < min || big > max) throw new XdrError(path, `${type.kind} must be an integer from ${min} to ${max}, not ${String(value)}`);
        this.#room(8);
        this.#buf.writeBigUInt64BE(BigInt.asUintN(64, big), this.#at);
        this.#at += 8;
        return;
      }
      case 'bool':
        if (typeof value !== 'boolean') throw new XdrError(path, `a boolean, not ${typeof value}`);
        this.#word(value ? 1 : 0, path);
        return;
      case 'float':
      case 'double': {
        if (typeof value !== 'number') throw new XdrError(path, `a number, not ${typeof value}`);
        const n = type.kind === 'float' ? 4 : 8;
        this.#room(n);
        if (n === 4) this.#buf.writeFloatBE(value, this.#at);
        else this.#buf.writeDoubleBE(value, this.#at);
        this.#at += n;
        return;
      }
      case 'string': {
        if (typeof value !== 'string') throw new XdrError(path, `a string, not ${typeof value}`);
        const bytes = Buffer.from(value, 'utf8');
        if (bytes.length > type.max) throw new XdrError(path, `a ${bytes.length}-byte string is above the maximum of ${type.max}`);
        this.#opaque(bytes, path, true);
        return;
      }
      case 'opaque':
      case 'fixed-opaque': {
        if (!(value instanceof Uint8Array)) throw new XdrError(path, 'bytes (a Uint8Array)');
        if (type.kind === 'opaque' && value.length > type.max) throw new XdrError(path, `${value.length} bytes are above the maximum of ${type.max}`);
        if (type.kind === 'fixed-opaque' && value.length !== type.size) throw new XdrError(path, `exactly ${type.size} bytes, not ${value.length}`);
        this.#opaque(value, path, type.kind === 'opaque');
        return;
      }
      case 'optional':
        if (value === null || value === undefined) {
          this.#word(0, path);
        } else {
          this.#word(1, path);
          this.write(type.of, value, path);
        }
        return;
      case 'array':
      case 'fixed-array': {
        if (!Array.isArray(value)) throw new XdrError(path, `an array, not ${typeof value}`);
        if (type.kind === 'array' && value.length > type.max) throw new XdrError(path, `${value.length} items are above the maximum of ${type.max}`);
        if (type.kind === 'fixed-array' && value.length !== type.size) throw new XdrError(path, `exactly ${type.size} items, not ${value.length}`);
        if (type.kind === 'array') this.#word(value.length, path);
        value.forEach((item, i) => this.write(type.of, item, `${path}[${i}]`));
        return;
      }
      case 'struct': {
        if (typeof value !== 'object' || value === null) throw new XdrError(path, `${type.name} must be an object`);
        const record = value as Record<string, unknown>;
        for (const f of type.fields) this.write(f.type, record[f.name], path ? `${path}.${f.name}` : f.name);
        return;
      }
      case 'union': {
        if (typeof value !== 'object' || value === null) throw new XdrError(path, `${type.name} must be an object`);
        const record = value as Record<string, unknown>;
        const d = record[type.discriminant];
        const arm = type.arms.find((a) => a.when === d);
        if (!arm) throw new XdrError(path, `${type.name} has no arm for ${type.discriminant} ${String(d)}`);
        this.#word(arm.when, path);
        this.write(arm.type, record[arm.name], path ? `${path}.${arm.name}` : arm.name);
        return;
      }
    }
  }
}
