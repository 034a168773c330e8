// PCI addresses of a QEMU guest, as libvirt's QEMU driver assigns them at define time
// and keeps: the slots the i440FX and Q35 machines reserve, which devices are PCI
// Express and which conventional, and the order devices are placed in, so that a start,
// a hot-plug and a restore from a save image see the same layout. The address set itself
// (buses, free slots, added root ports and bridges) is core's.

import { elementPciAddress, parsePciAddress, pciAddressAttrs, PciAddressSet, type PciAddress, type PciConnect } from '@tsvirt/core/driver';
import { childElement, element, type DeviceDef, type DomainDef, type XmlElement } from '@tsvirt/core/xml';

export const isQ35 = (def: DomainDef) => /q35/.test(def.os.machine ?? '');

/** Device models that are PCI Express endpoints (the rest are conventional PCI). */
const PCIE_MODELS = new Set(['virtio', 'e1000e', 'qemu-xhci', 'nec-xhci', 'virtio-scsi', 'virtio-serial']);

/** The kind of slot a device needs, or none when it is not a PCI device (or its machine places it). */
export function pciConnectOf(dev: DeviceDef, def: DomainDef): PciConnect | undefined {
  if (dev.kind === 'disk') return dev.target.bus === 'virtio' ? 'pcie' : undefined;
  if (dev.kind === 'interface') return PCIE_MODELS.has(dev.model ?? '') ? 'pcie' : 'pci';
  const el = dev.element;
  switch (el.name) {
    case 'controller': {
      const { type, model } = el.attrs;
      if (type === 'pci') return model === 'pci-root' || model === 'pcie-root' ? undefined : (model as PciConnect);
      if (type === 'usb') return model === 'none' ? undefined : PCIE_MODELS.has(model ?? '') ? 'pcie' : 'pci';
      if (type === 'scsi') return model === undefined || model.startsWith('virtio') ? 'pcie' : 'pci';
      if (type === 'virtio-serial') return 'pcie';
      // AHCI is a PCI card on i440FX, part of the chipset on Q35; IDE is the PIIX3's own.
      if (type === 'sata') return isQ35(def) ? undefined : 'pci';
      return undefined;
    }
    case 'memballoon': return el.attrs.model === 'virtio' ? 'pcie' : undefined;
    case 'video': return childElement(el, 'model')?.attrs.type === 'virtio' ? 'pcie' : childElement(el, 'model')?.attrs.type === 'none' ? undefined : 'pci';
    case 'input': return el.attrs.bus === 'virtio' ? 'pcie' : undefined;
    // the virtio devices are PCI Express endpoints, the emulated cards conventional PCI
    case 'rng': case 'filesystem': case 'vsock': return 'pcie';
    case 'serial': return childElement(el, 'target')?.attrs.type === 'pci-serial' ? 'pci' : undefined;
    case 'memory': return el.attrs.model === 'virtio-pmem' || el.attrs.model === 'virtio-mem' ? 'pcie' : undefined;
    case 'watchdog': return el.attrs.model === 'i6300esb' ? 'pci' : undefined;
    case 'sound': return ['sb16', 'pcspk', 'usb'].includes(el.attrs.model) ? undefined : 'pci';
    case 'hostdev': return el.attrs.type === 'mdev' || el.attrs.type === 'pci' ? 'pcie' : undefined;
    default: return undefined;
  }
}

/** Where the machine itself puts a device (the PIIX3 functions, ICH9's AHCI, the primary video card). */
function fixedAddress(dev: DeviceDef, def: DomainDef): PciAddress | undefined {
  if (dev.kind !== 'other') return undefined;
  const el = dev.element;
  const q35 = isQ35(def);
  if (el.name === 'video' && childElement(el, 'model')?.attrs.primary === 'yes' && childElement(el, 'model')?.attrs.type !== 'none') {
    return { bus: 0, slot: q35 ? 1 : 2, function: 0 };
  }
  if (el.name !== 'controller' || el.attrs.index !== '0') return undefined;
  if (q35 && el.attrs.type === 'sata') return { bus: 0, slot: 0x1f, function: 2 };
  if (!q35 && el.attrs.type === 'ide') return { bus: 0, slot: 1, function: 1 };
  if (!q35 && el.attrs.type === 'usb' && el.attrs.model === 'piix3-uhci') return { bus: 0, slot: 1, function: 2 };
  return undefined;
}

const addressOf = (dev: DeviceDef): PciAddress | undefined => (dev.kind === 'other' ? elementPciAddress(dev.element) : parsePciAddress(dev.address));

function setAddress(dev: DeviceDef, a: PciAddress): void {
  if (dev.kind !== 'other') {
    dev.address = pciAddressAttrs(a);
    return;
  }
  dev.element.children = dev.element.children.filter((c) => typeof c === 'string' || c.name !== 'address');
  dev.element.children.push(element('address', pciAddressAttrs(a)));
}

/** libvirt's order of placement: bus controllers, NICs, other controllers, disks, balloon, video, inputs, then the rarer devices. */
const ORDER = ['controller-pci', 'interface', 'controller', 'disk', 'memballoon', 'video', 'input', 'filesystem', 'sound', 'hostdev', 'watchdog', 'rng', 'iommu', 'vsock', 'memory'];
const orderKey = (dev: DeviceDef) => {
  if (dev.kind !== 'other') return ORDER.indexOf(dev.kind);
  if (dev.element.name === 'controller' && dev.element.attrs.type === 'pci') return 0;
  return ORDER.indexOf(dev.element.name);
};

const controllers = (def: DomainDef) => def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === 'controller' ? [d.element] : []));

/** The address set of a definition as it is: its buses and every address in use (with the slots its machine keeps). */
export function pciAddressSet(def: DomainDef): PciAddressSet {
  const set = new PciAddressSet(controllers(def));
  const reserve = (a: PciAddress, connect: PciConnect) => set.reserve(a, connect);
  if (isQ35(def)) {
    // ICH9: the LPC bridge, AHCI and SMBus functions of slot 0x1f.
    for (const f of [0, 2, 3]) if (!def.devices.some((d) => { const a = addressOf(d); return a?.bus === 0 && a.slot === 0x1f && a.function === f; })) reserve({ bus: 0, slot: 0x1f, function: f }, 'pci');
  } else {
    // PIIX3: ISA bridge, IDE, USB and power management functions of slot 1.
    for (const f of [0, 1, 2, 3]) if (!def.devices.some((d) => { const a = addressOf(d); return a?.bus === 0 && a.slot === 1 && a.function === f; })) reserve({ bus: 0, slot: 1, function: f }, 'pci');
  }
  for (const dev of def.devices) {
    const a = addressOf(dev);
    if (a) reserve(a, (pciConnectOf(dev, def) ?? 'pci'));
  }
  return set;
}

/** A root port's or bridge's settings as libvirt writes them: its model name, chassis and port. */
function fillBusController(el: XmlElement): void {
  const model = el.attrs.model;
  if (model !== 'pcie-root-port' && model !== 'pcie-to-pci-bridge' && model !== 'pci-bridge') return;
  const name = model === 'pcie-to-pci-bridge' ? 'pcie-pci-bridge' : model;
  const children = el.children.filter((c) => typeof c === 'string' || c.name !== 'address');
  const address = el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === 'address');
  if (!childElement(el, 'model')) children.unshift(element('model', { name }));
  const a = elementPciAddress(el);
  if (model !== 'pcie-to-pci-bridge') {
    const target = childElement(el, 'target') ?? element('target');
    if (!childElement(el, 'target')) children.splice(1, 0, target);
    target.attrs.chassis ??= el.attrs.index!;
    if (model === 'pcie-root-port' && a) target.attrs.port ??= `0x${(a.slot * 8 + a.function).toString(16)}`;
  }
  el.children = [...children, ...address];
}

/**
 * Give every PCI device of `def` without an address the next free one, adding root ports
 * and bridges where there is no room. `spare`: a new Q35 definition gets one free root
 * port beyond what it needs, so that a device can be hot-plugged (libvirt does the same).
 */
export function assignPciAddresses(def: DomainDef, spare = false): void {
  if (!def.devices.some((d) => d.kind === 'other' && d.element.name === 'controller' && d.element.attrs.type === 'pci')) return;
  for (const dev of def.devices) {
    const fixed = addressOf(dev) ? undefined : fixedAddress(dev, def);
    if (fixed) setAddress(dev, fixed);
  }
  const set = pciAddressSet(def);
  const hadRootPorts = controllers(def).some((c) => c.attrs.model === 'pcie-root-port');
  const pending = def.devices.map((dev, i) => ({ dev, i, key: orderKey(dev) })).filter(({ dev }) => !addressOf(dev) && pciConnectOf(dev, def))
    .sort((a, b) => a.key - b.key || a.i - b.i);
  for (const { dev } of pending) setAddress(dev, set.assign(pciConnectOf(dev, def)!));
  if (spare && isQ35(def) && !hadRootPorts && set.added.length) set.addBus('pcie-root-port');
  for (const added of set.added) def.devices.push({ kind: 'other', element: added.element });
  for (const c of controllers(def)) {
    const a = elementPciAddress(c);
    if (a && a.function === 0 && set.sharesSlot(a) && !a.multifunction) setAddress({ kind: 'other', element: c }, { ...a, multifunction: true });
    fillBusController(c);
  }
}

/** The next free address for a device hot-plugged into a running guest (no bus can be added to it). */
export function hotplugPciAddress(def: DomainDef, dev: DeviceDef): PciAddress | undefined {
  const connect = pciConnectOf(dev, def);
  if (!connect) return undefined;
  const given = addressOf(dev);
  const set = pciAddressSet(def);
  if (given) {
    set.reserve(given, connect);
    return given;
  }
  const a = set.assign(connect, false);
  setAddress(dev, a);
  return a;
}
