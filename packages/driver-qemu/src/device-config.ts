// Device changes to a persistent definition (attach/detach/update-device --config).

import { ErrorNumber } from '@tsvirt/core';
import { parseDevice, parseXmlDocument, type DeviceDef, type DomainDef } from '@tsvirt/core/xml';
import { fillDeviceDefaults } from './domain-defaults.js';
import { assignPciAddresses } from './pci-addresses.js';
import { qemuError } from './qemu-errors.js';

export type DeviceChange = 'attach' | 'detach' | 'update';

export function parseDeviceXml(xml: string): DeviceDef {
  return parseDevice(parseXmlDocument(xml, '(device_definition)'));
}

/** How a device is matched in a definition: disks by target, interfaces by MAC. */
function sameDevice(a: DeviceDef, b: DeviceDef): boolean {
  if (a.kind === 'disk' && b.kind === 'disk') return a.target.dev === b.target.dev;
  if (a.kind === 'interface' && b.kind === 'interface') return b.mac === undefined || a.mac === b.mac;
  return false;
}

export function applyConfigDeviceChange(def: DomainDef, dev: DeviceDef, change: DeviceChange): void {
  if (dev.kind === 'other') throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `persistent ${change} of device '${dev.element.name}' is not supported`);
  const index = def.devices.findIndex((d) => sameDevice(d, dev));
  if (change === 'attach') {
    if (dev.kind === 'disk' && index >= 0) throw qemuError(ErrorNumber.OPERATION_FAILED, `target ${dev.target.dev} already exists`);
    def.devices.push(fillDeviceDefaults(dev));
    // Its address now, for good, as at define time (adding a root port if it needs one).
    assignPciAddresses(def);
    return;
  }
  if (index < 0) throw qemuError(ErrorNumber.DEVICE_MISSING, dev.kind === 'disk' ? `disk ${dev.target.dev} not found` : `no device matching MAC address ${dev.mac ?? ''} found`);
  if (change === 'detach') def.devices.splice(index, 1);
  else {
    const old = def.devices[index];
    if (old.kind !== 'other') dev.address ??= old.address;
    def.devices[index] = dev;
  }
}
