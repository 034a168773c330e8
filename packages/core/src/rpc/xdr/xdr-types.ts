/**
 * XDR types (RFC 4506) as data: a codec walks these descriptions, so that a protocol's
 * structures are tables, not code. libvirt's additions are named after libvirt's own
 * use of XDR: C's `char`/`short` (a 32-bit word each, with its range checked).
 */
export type XdrIntKind = 'int' | 'uint' | 'char' | 'uchar' | 'short' | 'ushort';

export type XdrType =
  | { readonly kind: XdrIntKind }
  | { readonly kind: 'hyper' }
  | { readonly kind: 'uhyper' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'void' }
  /** UTF-8 text of at most `max` bytes. */
  | { readonly kind: 'string'; readonly max: number }
  /** At most `max` bytes. */
  | { readonly kind: 'opaque'; readonly max: number }
  /** Exactly `size` bytes. */
  | { readonly kind: 'fixed-opaque'; readonly size: number }
  /** XDR's `T *name`: absent (null) or one value. */
  | { readonly kind: 'optional'; readonly of: XdrType }
  /** At most `max` values. */
  | { readonly kind: 'array'; readonly of: XdrType; readonly max: number }
  | { readonly kind: 'fixed-array'; readonly of: XdrType; readonly size: number }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: readonly XdrField[] }
  /**
   * A discriminated union; decoded as `{ [discriminant]: value, [arm's name]: arm's value }`
   * (a void arm adds nothing). A value with no arm is refused.
   */
  | { readonly kind: 'union'; readonly name: string; readonly discriminant: string; readonly arms: readonly XdrArm[] };

export interface XdrField {
  readonly name: string;
  readonly type: XdrType;
}

export interface XdrArm {
  readonly when: number;
  readonly name: string;
  readonly type: XdrType;
}

/** The value ranges of the 32-bit integer kinds. */
export const INT_RANGES: Readonly<Record<XdrIntKind, readonly [number, number]>> = {
  int: [-0x80000000, 0x7fffffff],
  uint: [0, 0xffffffff],
  char: [-0x80, 0x7f],
  uchar: [0, 0xff],
  short: [-0x8000, 0x7fff],
  ushort: [0, 0xffff],
};

export const isIntKind = (kind: string): kind is XdrIntKind => Object.hasOwn(INT_RANGES, kind);

/** Bytes rounded up to XDR's 4-byte unit. */
export const padded = (n: number): number => (n + 3) & ~3;

const minSizes = new WeakMap<XdrType, number>();

/**
 * The fewest bytes any value of the type takes: what a decoder checks an array's
 * count against before it allocates for it (a count the remaining bytes cannot hold
 * is a lie, whatever the maximum).
 */
export function minEncodedSize(type: XdrType): number {
  const known = minSizes.get(type);
  if (known !== undefined) return known;
  let size: number;
  switch (type.kind) {
    case 'void': size = 0; break;
    case 'hyper': case 'uhyper': case 'double': size = 8; break;
    case 'fixed-opaque': size = padded(type.size); break;
    case 'fixed-array': size = type.size * minEncodedSize(type.of); break;
    case 'struct': size = type.fields.reduce((sum, f) => sum + minEncodedSize(f.type), 0); break;
    case 'union': size = 4 + Math.min(...type.arms.map((a) => minEncodedSize(a.type))); break;
    // every other kind: one word (a number, a length, a presence flag)
    default: size = 4;
  }
  minSizes.set(type, size);
  return size;
}
