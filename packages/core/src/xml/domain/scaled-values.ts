// Sizes libvirt reads with a unit and writes back in one unit of its own: a memory
// limit given in GiB comes back in KiB, a TSEG size in MiB, a cache size in bytes.

import { childElements, type XmlElement } from '../xml-element.js';
import { childPath } from './domain-layout.js';
import { memoryKiB } from './memory-units.js';

interface Scaled {
  /** the unit of a value that names none */
  unit: string;
  /** the unit libvirt writes, with its size in KiB (0: bytes) */
  out: 'KiB' | 'MiB' | 'bytes';
}

const KIB: Scaled = { unit: 'KiB', out: 'KiB' };

/** Elements whose text is a scaled size, by path under <domain>. */
const SCALED_TEXT: Record<string, Scaled> = {
  maxMemory: KIB,
  'memtune/hard_limit': KIB,
  'memtune/soft_limit': KIB,
  'memtune/swap_hard_limit': KIB,
  'memtune/min_guarantee': KIB,
  'features/smm/tseg': { unit: 'MiB', out: 'MiB' },
  'devices/disk/driver/metadata_cache/max_size': { unit: 'bytes', out: 'bytes' },
  'devices/disk/backingStore/format/metadata_cache/max_size': { unit: 'bytes', out: 'bytes' },
  'devices/memory/target/size': KIB,
  'devices/memory/target/requested': KIB,
  'devices/memory/target/block': KIB,
  'devices/memory/target/label/size': KIB,
  'devices/memory/source/pagesize': KIB,
  'devices/memory/source/alignsize': KIB,
};

function scaleText(el: XmlElement, s: Scaled): void {
  const text = el.children.filter((c): c is string => typeof c === 'string').join('').trim();
  if (!/^\d+$/.test(text)) return;
  const unit = el.attrs.unit ?? s.unit;
  let value: number;
  if (s.out === 'bytes') {
    // bytes stay exact: scale through KiB only when the unit is a multiple of it
    const lower = unit.toLowerCase();
    value = lower === 'b' || lower === 'bytes' ? Number(text) : memoryKiB(text, unit) * 1024;
  } else {
    const kib = memoryKiB(text, unit);
    value = s.out === 'MiB' ? Math.floor(kib / 1024) : kib;
  }
  el.attrs.unit = s.out;
  el.children = [String(value)];
}

/** The scaled sizes in `el` (at `path`) and below it, in libvirt's units, in place. */
export function normalizeScaledValues(el: XmlElement, path: string): void {
  const s = SCALED_TEXT[path];
  if (s) scaleText(el, s);
  for (const c of childElements(el)) normalizeScaledValues(c, childPath(path, c.name));
}
