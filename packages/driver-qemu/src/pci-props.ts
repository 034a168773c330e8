// A device's PCI address as the bus= and addr= properties of its -device.

import { parsePciAddress } from '@tsvirt/core/driver';
import type { QemuOptValue } from './qemu-opts.js';

/** QEMU's name of PCI bus `index`: the machine's root bus, or the controller's alias. */
const pciBusName = (index: number, q35: boolean) => (index === 0 ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${index}`);

/** bus=, addr= (and multifunction=) of a device at a PCI address; none without one (QEMU then picks). */
export function pciProps(address: Record<string, string | undefined> | undefined, q35: boolean): Record<string, QemuOptValue> {
  const a = parsePciAddress(address);
  if (!a) return {};
  const addr = `0x${a.slot.toString(16)}${a.function ? `.0x${a.function.toString(16)}` : ''}`;
  return { bus: pciBusName(a.bus, q35), addr, multifunction: a.multifunction || undefined };
}
