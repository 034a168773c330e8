const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** A size in bytes as virsh prints it: `decimals` decimals (two for volumes, three for jobs) in the largest binary unit that keeps it at or above 1. */
export function prettyCapacity(bytes: number, decimals = 2): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(decimals)} ${UNITS[u]}`;
}
