// The aliases of a running guest's devices: the ids QEMU knows them by, which the
// live XML shows as libvirt's does (<alias name='...'/>), and hot-plug and unplug use.

import { childElement, element, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import { isQ35 } from './pci-addresses.js';
import { diskAlias } from './disk-args.js';

/** A controller's alias, as libvirt names them (the id its -device has). */
function controllerAlias(el: XmlElement, q35: boolean): string | undefined {
  const index = el.attrs.index ?? '0';
  switch (el.attrs.type) {
    case 'pci': return index === '0' ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${index}`;
    case 'usb': return index === '0' ? 'usb' : `usb${index}`;
    // Q35's built-in AHCI controller is QEMU's "ide".
    case 'sata': return q35 ? 'ide' : `sata${index}`;
    case 'ide': return 'ide';
    case 'scsi': return `scsi${index}`;
    case 'virtio-serial': return `virtio-serial${index}`;
    default: return undefined;
  }
}

function setAlias(el: XmlElement, name: string | undefined): void {
  if (name === undefined) return;
  const existing = childElement(el, 'alias');
  if (existing) {
    existing.attrs.name = name;
    return;
  }
  // Before the address, where libvirt writes it.
  const at = el.children.findIndex((c) => typeof c !== 'string' && c.name === 'address');
  el.children.splice(at < 0 ? el.children.length : at, 0, element('alias', { name }));
}

/** Give every device of a live definition the alias (QEMU id) it runs under. */
export function assignAliases(def: DomainDef): void {
  const q35 = isQ35(def);
  let nic = 0;
  const counters = new Map<string, number>();
  const next = (kind: string) => {
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    return n;
  };
  for (const dev of def.devices) {
    if (dev.kind === 'disk') dev.alias = diskAlias(dev);
    else if (dev.kind === 'interface') dev.alias = `net${nic++}`;
    else {
      const el = dev.element;
      if (el.name === 'controller') setAlias(el, controllerAlias(el, q35));
      else if (el.name === 'input' || el.name === 'video') setAlias(el, `${el.name}${next(el.name)}`);
      else if (el.name === 'serial') setAlias(el, `serial${next('serial')}`);
      // The console is the first serial port seen from another side.
      else if (el.name === 'console') setAlias(el, 'serial0');
      else if (el.name === 'memballoon' && el.attrs.model !== 'none') setAlias(el, 'balloon0');
    }
  }
}
