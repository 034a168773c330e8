import type { DeviceDef, DiskDef } from './domain-def.js';
import { diskNameToIndex } from './disk-names.js';

/**
 * Where libvirt places a disk among those already defined: before the first disk on the
 * same bus with a higher index, else after the last one on that bus, else at the end.
 * (The scan runs from the end and keeps going, so an earlier disk with a higher index wins.)
 * Disks are inserted this way while parsing, when only an explicit bus is known, so the
 * order can differ from the document's (hda, hdc, fda without buses gives hda, fda, hdc).
 */
export function diskInsertPosition(disks: DiskDef[], disk: DiskDef): number {
  const index = diskNameToIndex(disk.target.dev);
  let at = -1;
  for (let i = disks.length - 1; i >= 0; i--) {
    if (disks[i].target.bus !== disk.target.bus) continue;
    if (diskNameToIndex(disks[i].target.dev) > index) at = i;
    else if (at === -1) at = i + 1;
  }
  return at === -1 ? disks.length : at;
}

/** The devices with their disks in libvirt's insertion order, the other devices where they were. */
export function orderDisks(devices: DeviceDef[]): DeviceDef[] {
  const ordered: DiskDef[] = [];
  for (const d of devices) if (d.kind === 'disk') ordered.splice(diskInsertPosition(ordered, d), 0, d);
  let next = 0;
  return devices.map((d) => (d.kind === 'disk' ? ordered[next++] : d));
}
