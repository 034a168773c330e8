// How libvirt reads a disk's target name (hda, sdb1, vdaa, xvdc, fda): the prefix names the
// bus the disk sits on unless it says otherwise, the letters its position on that bus.

const BUS_BY_PREFIX: [prefix: string, bus: string][] = [
  ['xvd', 'xen'], ['ubd', 'uml'], ['hd', 'ide'], ['sd', 'scsi'], ['vd', 'virtio'], ['fd', 'fdc'],
];

/**
 * A target name's position: hda → 0, hdc → 2, sdaa → 26; a partition number after the
 * letters is ignored (sda1 → 0). -1 when the name has no known prefix or no letters.
 */
export function diskNameToIndex(dev: string): number {
  const prefix = BUS_BY_PREFIX.find(([p]) => dev.startsWith(p))?.[0];
  if (!prefix) return -1;
  const m = /^([a-z]+)\d*$/.exec(dev.slice(prefix.length));
  if (!m) return -1;
  let n = 0;
  for (const ch of m[1]) n = n * 26 + (ch.charCodeAt(0) - 96);
  return n - 1;
}

/** The bus a disk without one is put on: a floppy on the floppy controller, else by its name's prefix. */
export function defaultDiskBus(dev: string, device: string): string | undefined {
  if (device === 'floppy') return 'fdc';
  return BUS_BY_PREFIX.find(([p]) => dev.startsWith(p))?.[1];
}
