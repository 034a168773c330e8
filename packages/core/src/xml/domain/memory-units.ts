import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';

/** Scale factors of libvirt's memory units, to bytes. */
const UNITS: Record<string, bigint> = {
  b: 1n, bytes: 1n,
  kb: 1000n, k: 1024n, kib: 1024n,
  mb: 1000n ** 2n, m: 1024n ** 2n, mib: 1024n ** 2n,
  gb: 1000n ** 3n, g: 1024n ** 3n, gib: 1024n ** 3n,
  tb: 1000n ** 4n, t: 1024n ** 4n, tib: 1024n ** 4n,
  pb: 1000n ** 5n, p: 1024n ** 5n, pib: 1024n ** 5n,
  eb: 1000n ** 6n, e: 1024n ** 6n, eib: 1024n ** 6n,
};

/** The largest memory size libvirt takes, in bytes (a signed 64-bit count). */
const MAX_MEMORY_BYTES = (1n << 63n) - 1n;

/** A value in `unit` (KiB when absent) as KiB, rounded up as libvirt does; null for an unknown unit. */
export function toKiB(value: number, unit: string | undefined): number | null {
  const scale = UNITS[(unit ?? 'KiB').toLowerCase()];
  if (scale === undefined) return null;
  return Math.ceil((value * Number(scale)) / 1024);
}

/**
 * A memory size as libvirt reads one (`text` an unsigned integer in `unit`, KiB when
 * absent), in KiB rounded up: an unknown unit is VIR_ERR_INVALID_ARG, a size beyond
 * libvirt's range VIR_ERR_OVERFLOW, as libvirt reports them. The caller checks the syntax.
 */
export function memoryKiB(text: string, unit: string | undefined): number {
  const scale = UNITS[(unit ?? 'KiB').toLowerCase()];
  if (scale === undefined) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.NONE, `unknown suffix '${unit}'`);
  const bytes = BigInt(text) * scale;
  if (bytes > MAX_MEMORY_BYTES) throw VirError.of(ErrorNumber.OVERFLOW, ErrorDomain.NONE, `value too large: ${text}${unit ?? ''}`);
  return Number((bytes + 1023n) / 1024n);
}

/** A value in `unit` (bytes when absent) as bytes, as storage sizes are scaled; null for an unknown unit. */
export function toBytes(value: number, unit: string | undefined): number | null {
  const scale = UNITS[(unit ?? 'bytes').toLowerCase()];
  return scale === undefined ? null : value * Number(scale);
}
