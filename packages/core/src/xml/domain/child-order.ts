import type { XmlElement } from '../xml-element.js';

// libvirt keeps <features> and <blkiotune> as typed structures and writes their parts in a
// fixed order, whatever order the document had. tsvirt keeps them as parsed, so it sorts
// their children on the way out.

/** Child order of elements kept as parsed, by element path from <domain>. */
const CHILD_ORDER: Record<string, string[]> = {
  features: ['acpi', 'apic', 'pae', 'hap', 'viridian', 'privnet', 'hyperv', 'kvm', 'pvspinlock', 'capabilities', 'pmu', 'vmport', 'gic', 'smm', 'ioapic', 'hpt', 'vmcoreinfo', 'htm', 'nested-hv', 'msrs', 'ccf-assist', 'xen', 'cfpc', 'sbbc', 'ibs', 'tcg', 'async-teardown'],
  blkiotune: ['weight', 'device'],
  'blkiotune/device': ['path', 'weight', 'read_iops_sec', 'write_iops_sec', 'read_bytes_sec', 'write_bytes_sec'],
};

/** An element with its children (and known grandchildren) in libvirt's order; unknown ones keep their place after the known. */
export function inCanonicalOrder(el: XmlElement, path: string = el.name): XmlElement {
  const order = CHILD_ORDER[path];
  if (!order) return el;
  const rank = (c: XmlElement) => {
    const i = order.indexOf(c.name);
    return i < 0 ? order.length : i;
  };
  const elements = el.children.filter((c): c is XmlElement => typeof c !== 'string');
  // text between elements is only indentation here, which the formatter rewrites anyway
  const children = elements
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => inCanonicalOrder(c, `${path}/${c.name}`));
  return { ...el, children };
}
