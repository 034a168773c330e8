import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { Capabilities } from '@tsvirt/core/xml';

/** The host's SMBIOS data, as libvirt's test driver reports it. */
export const TEST_SYSINFO_XML = `<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>LENOVO</entry>
    <entry name='version'>G4ETA1WW (2.61 )</entry>
    <entry name='date'>05/07/2014</entry>
    <entry name='release'>2.61</entry>
  </bios>
</sysinfo>
`;

/**
 * Free memory of NUMA cells from `startCell` on. libvirt's test driver reports each
 * cell's memory size as its free bytes (a KiB figure read as bytes); tsvirt keeps that.
 */
export function cellsFreeMemory(caps: Capabilities, startCell: number, maxCells: number): number[] {
  const cells = caps.host.cells;
  if (startCell < 0 || startCell >= cells.length) {
    throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, 'Range exceeds available cells');
  }
  return cells.slice(startCell, startCell + maxCells).map((c) => c.memoryKiB);
}

/**
 * The host's free memory: libvirt's test driver keeps a free figure of half each cell's
 * memory beside it, and sums those (again KiB read as bytes), not what cellsFreeMemory gives.
 */
export const freeMemory = (caps: Capabilities): number => caps.host.cells.reduce((sum, c) => sum + c.memoryKiB / 2, 0);

/** libvirt's test driver reports 8 host CPUs in its CPU map, of which 0, 2 and 4 are online. */
export const TEST_CPU_MAP = { cpus: 8, online: [0, 2, 4] } as const;

/** The fixed CPU time counters (ns) of the test driver's host. */
export const TEST_CPU_STATS = { user: 9797400000, kernel: 34678723400000, idle: 87264900000, iowait: 763600000 } as const;
