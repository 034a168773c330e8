const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** A size in bytes as virsh prints it: two decimals in the largest binary unit that keeps it at or above 1. */
export function prettyCapacity(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(2)} ${UNITS[u]}`;
}
