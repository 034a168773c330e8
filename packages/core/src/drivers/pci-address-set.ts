// libvirt's PCI address set (its conf layer's): the buses a domain's PCI controllers
// make, which kind of device each bus takes in which slots, the addresses in use, and
// the next free address for a device of a kind, growing the topology (a root port, a
// PCIe-to-PCI bridge, a PCI bridge) when no bus has room. A driver says which of its
// devices need an address, of which kind, and which slots its machine reserves.

import { childElements, element, type XmlElement } from '../xml/xml-element.js';
import { VirError } from '../errors/vir-error.js';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';

/**
 * How a device plugs in: a conventional PCI endpoint, a PCIe endpoint, or one of the
 * controllers that make buses. A PCIe endpoint works on a conventional bus too (as on
 * the i440FX machine), a conventional one on PCIe only behind a PCIe-to-PCI bridge.
 */
export type PciConnect = 'pci' | 'pcie' | 'pcie-root-port' | 'pcie-to-pci-bridge' | 'pci-bridge';

export interface PciAddress {
  bus: number;
  slot: number;
  function: number;
  multifunction?: boolean;
}

interface BusModel {
  minSlot: number;
  maxSlot: number;
  takes: readonly PciConnect[];
  /** devices of these kinds fill a slot's functions before the next slot (root ports) */
  aggregate?: readonly PciConnect[];
}

// pcie-root takes endpoints only where a driver reserves them (integrated devices).
const BUS_MODELS: Record<string, BusModel> = {
  'pci-root': { minSlot: 1, maxSlot: 31, takes: ['pci', 'pcie', 'pci-bridge'] },
  'pci-bridge': { minSlot: 1, maxSlot: 31, takes: ['pci', 'pcie', 'pci-bridge'] },
  'pcie-root': { minSlot: 1, maxSlot: 31, takes: ['pcie-root-port'], aggregate: ['pcie-root-port'] },
  'pcie-root-port': { minSlot: 0, maxSlot: 0, takes: ['pcie', 'pcie-to-pci-bridge'] },
  // PCIe devices go to root ports, not behind a bridge to conventional PCI.
  'pcie-to-pci-bridge': { minSlot: 1, maxSlot: 31, takes: ['pci'] },
};

const FUNCTIONS = 8;
const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, '0')}`;

/** An address as libvirt writes it in <address type='pci' .../>. */
export function pciAddressAttrs(a: PciAddress): Record<string, string> {
  return {
    type: 'pci', domain: '0x0000', bus: hex(a.bus, 2), slot: hex(a.slot, 2), function: hex(a.function, 1),
    ...(a.multifunction ? { multifunction: 'on' } : {}),
  };
}

/** A PCI address from an <address> element's attributes, or undefined when it is not one. */
export function parsePciAddress(attrs: Record<string, string | undefined> | undefined): PciAddress | undefined {
  if (attrs?.type !== 'pci') return undefined;
  const num = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return { bus: num(attrs.bus), slot: num(attrs.slot), function: num(attrs.function), multifunction: attrs.multifunction === 'on' };
}

const noSlot = () => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.DOMAIN, 'No more available PCI slots');

interface Bus {
  index: number;
  model: string;
  spec: BusModel;
  used: Set<number>;
}

/** The controller that a new bus is, as libvirt adds it (index and model; its address comes from the set). */
export interface AddedController {
  element: XmlElement;
  index: number;
  model: string;
}

export class PciAddressSet {
  readonly #buses: Bus[] = [];
  /** slots (per bus) holding root ports, whose free functions later root ports take */
  readonly #aggregateSlots = new Map<number, Set<number>>();
  /** controllers added while finding room, in the order they were added */
  readonly added: AddedController[] = [];

  /** The buses of the PCI controllers among `controllers` (their indexes as given). */
  constructor(controllers: XmlElement[]) {
    for (const c of controllers) {
      if (c.attrs.type !== 'pci') continue;
      const spec = BUS_MODELS[c.attrs.model ?? ''];
      if (spec) this.#buses.push({ index: Number(c.attrs.index ?? 0), model: c.attrs.model!, spec, used: new Set() });
    }
    this.#buses.sort((a, b) => a.index - b.index);
  }

  get nextIndex(): number {
    return this.#buses.reduce((m, b) => Math.max(m, b.index + 1), 0);
  }

  /**
   * Mark an address as taken by a device of kind `connect`; a second use of one is
   * libvirt's error. Root ports mark their slot as one that later root ports may share.
   */
  reserve(a: PciAddress, connect: PciConnect = 'pci'): void {
    const bus = this.#buses.find((b) => b.index === a.bus);
    if (!bus) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, `Could not find PCI controller with index '${a.bus}' required for device at PCI address '${this.#text(a)}'`);
    const key = a.slot * FUNCTIONS + a.function;
    if (bus.used.has(key)) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, `Attempted double use of PCI Address ${this.#text(a)}`);
    bus.used.add(key);
    if (bus.spec.aggregate?.includes(connect)) {
      let slots = this.#aggregateSlots.get(bus.index);
      if (!slots) this.#aggregateSlots.set(bus.index, (slots = new Set()));
      slots.add(a.slot);
    }
  }

  /** Whether the slot of `a` has a device in a function other than its own. */
  sharesSlot(a: PciAddress): boolean {
    const bus = this.#buses.find((b) => b.index === a.bus);
    if (!bus) return false;
    for (let f = 0; f < FUNCTIONS; f++) if (f !== a.function && bus.used.has(a.slot * FUNCTIONS + f)) return true;
    return false;
  }

  #text(a: PciAddress): string {
    return `0000:${a.bus.toString(16).padStart(2, '0')}:${a.slot.toString(16).padStart(2, '0')}.${a.function}`;
  }

  /** The first free address for a device of kind `connect`, without taking it. */
  #free(connect: PciConnect): PciAddress | undefined {
    for (const bus of this.#buses) {
      if (!bus.spec.takes.includes(connect)) continue;
      const aggregate = bus.spec.aggregate?.includes(connect) ?? false;
      for (let slot = bus.spec.minSlot; slot <= bus.spec.maxSlot; slot++) {
        const used = Array.from({ length: FUNCTIONS }, (_, f) => bus.used.has(slot * FUNCTIONS + f));
        if (!used.some(Boolean)) return { bus: bus.index, slot, function: 0 };
        // Root ports share a slot's functions, when the slot holds root ports.
        if (aggregate && this.#aggregateSlots.get(bus.index)?.has(slot)) {
          const f = used.indexOf(false);
          if (f >= 0) return { bus: bus.index, slot, function: f };
        }
      }
    }
    return undefined;
  }

  /**
   * Take the next free address for a device of kind `connect`. With `grow`, a missing
   * bus is added as libvirt adds it (a root port for a PCIe device on a PCIe machine, a
   * PCIe-to-PCI bridge behind one for a conventional device, a PCI bridge on a
   * conventional machine); without, no room is libvirt's "No more available PCI slots".
   */
  assign(connect: PciConnect, grow = true): PciAddress {
    const free = this.#free(connect);
    if (free) {
      this.reserve(free, connect);
      return free;
    }
    if (!grow) throw noSlot();
    const pcie = this.#buses.some((b) => b.model === 'pcie-root');
    const model = !pcie ? 'pci-bridge' : connect === 'pci' ? 'pcie-to-pci-bridge' : 'pcie-root-port';
    if (model === connect) throw noSlot();
    this.addBus(model);
    return this.assign(connect, grow);
  }

  /** Add a bus controller of `model`, placed on an existing (or added) bus; returns its element. */
  addBus(model: string): AddedController {
    const spec = BUS_MODELS[model];
    if (!spec) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.DOMAIN, `PCI controller model '${model}' cannot be added`);
    const address = this.assign(model as PciConnect);
    const index = this.nextIndex;
    this.#buses.push({ index, model, spec, used: new Set() });
    const el = element('controller', { type: 'pci', index: String(index), model }, [element('address', pciAddressAttrs(address))]);
    const added = { element: el, index, model };
    this.added.push(added);
    return added;
  }
}

/** The <address> child of a device element, if it is a PCI one. */
export const elementPciAddress = (el: XmlElement): PciAddress | undefined => parsePciAddress(childElements(el, 'address')[0]?.attrs);
