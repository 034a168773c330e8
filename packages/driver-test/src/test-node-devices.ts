import { ConnectListAllNodeDeviceFlags as F, ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { NodeDeviceRef } from '@tsvirt/core/driver';
import { formatNodeDeviceXml, type NodeDeviceDef } from '@tsvirt/core/xml';
import { checkFlags } from './test-errors.js';

/** The capability-type filters of listAllNodeDevices; libvirt's test driver takes no state filter. */
const CAP_FLAGS: Record<string, number> = {
  system: F.CAP_SYSTEM, pci: F.CAP_PCI_DEV, usb_device: F.CAP_USB_DEV, usb: F.CAP_USB_INTERFACE, net: F.CAP_NET,
  scsi_host: F.CAP_SCSI_HOST, scsi_target: F.CAP_SCSI_TARGET, scsi: F.CAP_SCSI, storage: F.CAP_STORAGE, fc_host: F.CAP_FC_HOST,
  vport_ops: F.CAP_VPORTS, scsi_generic: F.CAP_SCSI_GENERIC, drm: F.CAP_DRM, mdev_types: F.CAP_MDEV_TYPES, mdev: F.CAP_MDEV,
  ccw: F.CAP_CCW_DEV, css: F.CAP_CSS_DEV, vdpa: F.CAP_VDPA, ap_card: F.CAP_AP_CARD, ap_queue: F.CAP_AP_QUEUE,
  ap_matrix: F.CAP_AP_MATRIX, vpd: F.CAP_VPD,
};
const ALL_CAPS = Object.values(CAP_FLAGS).reduce((a, b) => a | b, 0);

/** One host device of a test connection; it is also the NodeDeviceRef core hands out. */
export class TestNodeDevice implements NodeDeviceRef {
  constructor(public readonly def: NodeDeviceDef) {}
  get name(): string { return this.def.name; }

  /** The filter bits of its capabilities, nested ones (fc_host in scsi_host) included. */
  get capFlags(): number {
    let bits = 0;
    const walk = (caps: NodeDeviceDef['capabilities']) => {
      for (const c of caps) {
        bits |= CAP_FLAGS[c.attrs.type] ?? 0;
        walk(c.children.filter((x): x is typeof c => typeof x !== 'string' && x.name === 'capability'));
      }
    };
    walk(this.def.capabilities);
    return bits;
  }
}

/** The host devices of a test connection, by name. */
export class TestNodeDevices {
  private readonly byName = new Map<string, TestNodeDevice>();

  constructor(initial: NodeDeviceDef[]) {
    for (const d of initial) this.byName.set(d.name, new TestNodeDevice(d));
  }

  get(ref: NodeDeviceRef): TestNodeDevice {
    return this.lookup(ref.name);
  }

  list(flags: number): TestNodeDevice[] {
    checkFlags(flags, ALL_CAPS, 'testConnectListAllNodeDevices');
    return [...this.byName.values()].filter((d) => !flags || (d.capFlags & flags) !== 0);
  }

  lookup(name: string): TestNodeDevice {
    const d = this.byName.get(name);
    if (!d) throw VirError.of(ErrorNumber.NO_NODE_DEVICE, ErrorDomain.NODEDEV, `no node device with matching name '${name}'`);
    return d;
  }

  xml(ref: NodeDeviceRef, flags: number): string {
    checkFlags(flags, 0, 'testNodeDeviceGetXMLDesc');
    return formatNodeDeviceXml(this.get(ref).def);
  }

  parent(ref: NodeDeviceRef): string {
    return this.get(ref).def.parent ?? '';
  }
}
