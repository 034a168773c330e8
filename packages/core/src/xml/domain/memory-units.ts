/** Scale factors of libvirt's memory units, to bytes. */
const UNITS: Record<string, number> = {
  b: 1, bytes: 1,
  kb: 1e3, k: 1024, kib: 1024,
  mb: 1e6, m: 1024 ** 2, mib: 1024 ** 2,
  gb: 1e9, g: 1024 ** 3, gib: 1024 ** 3,
  tb: 1e12, t: 1024 ** 4, tib: 1024 ** 4,
  pb: 1e15, p: 1024 ** 5, pib: 1024 ** 5,
  eb: 1e18, e: 1024 ** 6, eib: 1024 ** 6,
};

/** A value in `unit` (KiB when absent) as KiB, rounded up as libvirt does; null for an unknown unit. */
export function toKiB(value: number, unit: string | undefined): number | null {
  const scale = UNITS[(unit ?? 'KiB').toLowerCase()];
  if (scale === undefined) return null;
  return Math.ceil((value * scale) / 1024);
}

/** A value in `unit` (bytes when absent) as bytes, as storage sizes are scaled; null for an unknown unit. */
export function toBytes(value: number, unit: string | undefined): number | null {
  const scale = UNITS[(unit ?? 'bytes').toLowerCase()];
  return scale === undefined ? null : value * scale;
}
