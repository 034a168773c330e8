// What the host lends a guest: <hostdev> devices (USB devices, mediated devices) and
// <filesystem> folders shared over virtio-9p.

import { childElement, type XmlElement } from '@tsvirt/core/xml';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { unsupported } from './native-errors.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';
import { virtioOptions } from './virtio-options.js';

type Pci = Record<string, QemuOptValue>;

const bootIndex = (el: XmlElement) => {
  const order = childElement(el, 'boot')?.attrs.order;
  return order === undefined ? undefined : Number(order);
};

/** -device of <hostdev> number `index`; `usbPort` is its place on the USB bus. */
export function hostdevArgs(el: XmlElement, index: number, pci: Pci, usbPort: QemuOptValue): string[] {
  if ((el.attrs.mode ?? 'subsystem') !== 'subsystem') throw unsupported(`hostdev mode '${el.attrs.mode}'`);
  const source = childElement(el, 'source');
  const address = (source && childElement(source, 'address')?.attrs) ?? {};
  const id = `hostdev${index}`;
  switch (el.attrs.type) {
    case 'usb': {
      const bus = Number(address.bus);
      const device = Number(address.device);
      if (!Number.isInteger(bus) || !Number.isInteger(device) || bus < 0 || device < 0 || bus > 999 || device > 999) {
        throw unsupported('USB hostdev without a bus and device number');
      }
      const guestReset = source?.attrs.guestReset;
      return ['-device', qemuOpts('usb-host', {
        hostdevice: `/dev/bus/usb/${String(bus).padStart(3, '0')}/${String(device).padStart(3, '0')}`, id,
        'guest-reset': guestReset === undefined || guestReset === 'on' ? undefined : guestReset !== 'off',
        'guest-resets-all': guestReset === 'uninitialized' ? false : guestReset === 'on' ? true : undefined,
        bootindex: bootIndex(el), bus: 'usb.0', port: usbPort,
      })];
    }
    case 'mdev': {
      if ((el.attrs.model ?? 'vfio-pci') !== 'vfio-pci') throw unsupported(`mediated device model '${el.attrs.model}'`);
      if (!address.uuid || !/^[0-9a-f-]{36}$/i.test(address.uuid)) throw unsupported('mediated device without a UUID');
      const ramfb = el.attrs.ramfb === 'on';
      return ['-device', qemuOpts(ramfb ? 'vfio-pci-nohotplug' : 'vfio-pci', {
        id, sysfsdev: `/sys/bus/mdev/devices/${address.uuid.toLowerCase()}`, display: el.attrs.display, ramfb: ramfb || undefined,
        bootindex: bootIndex(el), ...pci,
      })];
    }
    case 'pci':
      // libvirt's words where the host has no VFIO for the device
      throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU, "invalid PCI passthrough type 'default'");
    default:
      throw unsupported(`hostdev type '${el.attrs.type}'`);
  }
}

const SECURITY_MODELS: Record<string, string> = { passthrough: 'passthrough', mapped: 'mapped', squash: 'none' };
const octal = (mode: string | undefined) => (mode === undefined ? undefined : mode.padStart(4, '0'));

/** -fsdev and -device of <filesystem> number `index`, a host folder shared over virtio-9p. */
export function filesystemArgs(el: XmlElement, index: number, pci: Pci): string[] {
  const type = el.attrs.type ?? 'mount';
  if (type !== 'mount') throw unsupported(`filesystem type '${type}'`);
  const driver = childElement(el, 'driver')?.attrs ?? {};
  const fsDriver = driver.type ?? 'path';
  // QEMU 6.0 dropped the 'handle' backend
  if (fsDriver !== 'path') throw unsupported(`filesystem driver type '${fsDriver}'`);
  const source = childElement(el, 'source')?.attrs.dir;
  const tag = childElement(el, 'target')?.attrs.dir;
  if (!source || !tag) throw unsupported('filesystem without a source and target folder');
  const id = `fs${index}`;
  const accessMode = el.attrs.accessmode ?? 'passthrough';
  const model = SECURITY_MODELS[accessMode];
  if (!model) throw unsupported(`filesystem access mode '${accessMode}'`);
  const fsdev = qemuOpts('local', {
    security_model: model, writeout: driver.wrpolicy, fmode: octal(el.attrs.fmode), dmode: octal(el.attrs.dmode),
    multidevs: el.attrs.multidevs, id: `fsdev-${id}`, path: source, readonly: childElement(el, 'readonly') ? true : undefined,
  });
  return ['-fsdev', fsdev, '-device', qemuOpts('virtio-9p-pci', { ...virtioOptions(el), id, fsdev: `fsdev-${id}`, mount_tag: tag, ...pci })];
}
