// What libvirt's QEMU driver fills into a definition, around core's hypervisor-neutral
// post-parse (applyDomainDefaults): the machine type expanded to the versioned one the
// probed QEMU names, the emulator and default CPU model, the devices the i440FX and Q35
// machines come with (USB, SATA and PCI root controllers, PS/2 inputs, a balloon, an
// audio backend), NIC models, MAC addresses, serial port targets, and then the PCI
// addresses that every later start, hot-plug and restore keeps to.

import { randomBytes } from 'node:crypto';
import {
  applyDomainDefaults, childElement, defaultDiskBus, devicesNamed, element, orderControllers, replaceDevices, type DeviceDef, type DomainDef, type XmlElement,
} from '@tsvirt/core/xml';
import { assignPciAddresses, isQ35 } from './pci-addresses.js';
import type { QemuCapabilities } from './qemu-capabilities.js';

/** libvirt's locally administered prefix for QEMU guests. */
const MAC_PREFIX = '52:54:00';
/** The card a <video> without a model gets, and the NIC model an interface without one gets, on x86 (libvirt's). */
const VIDEO_MODEL = 'cirrus';
const NIC_MODEL = 'rtl8139';

/** The defaults of one device, also for a device attached later (hot-plugged or added to the config). */
export function fillDeviceDefaults<T extends DeviceDef>(dev: T): T {
  if (dev.kind === 'interface') {
    dev.mac ??= `${MAC_PREFIX}:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    dev.model ??= NIC_MODEL;
  } else if (dev.kind === 'disk') {
    dev.target.bus ??= defaultDiskBus(dev.target.dev, dev.device);
    dev.driver ??= {};
    dev.driver.name ??= 'qemu';
    if (dev.type === 'file' || dev.type === 'block') dev.driver.type ??= 'raw';
  }
  return dev;
}

/** "pc" → "pc-i440fx-7.2": the versioned machine an alias stands for, so that the guest's hardware stays that of this QEMU. */
function expandMachine(def: DomainDef, caps: QemuCapabilities): void {
  const machine = def.os.machine ?? caps.machines.find((m) => m.isDefault)?.name;
  def.os.machine = caps.machines.find((m) => m.alias === machine)?.name ?? machine;
  def.os.arch ??= 'x86_64';
}

/** Without a <cpu>, the machine's default model, as libvirt writes it. */
function defaultCpu(def: DomainDef, caps: QemuCapabilities): void {
  if (def.extra.some((e) => e.name === 'cpu')) return;
  const cpuType = caps.machines.find((m) => m.name === def.os.machine)?.defaultCpuType;
  const model = cpuType?.replace(/-x86_64-cpu$/, '');
  if (!model || model === cpuType) return;
  def.extra.push(element('cpu', { mode: 'custom', match: 'exact', check: 'none' }, [element('model', { fallback: 'forbid' }, [model])]));
}

const controller = (type: string, attrs: Record<string, string> = {}) => element('controller', { type, index: '0', ...attrs });

/** The devices the machine brings (qemuDomainDefAddDefaultDevices): added only when the definition has none of the kind. */
function addDefaultDevices(def: DomainDef, emulator: string): void {
  const q35 = isQ35(def);
  if (!devicesNamed(def, 'emulator').length) def.devices.push({ kind: 'other', element: element('emulator', {}, [emulator]) });
  const list = orderControllers(devicesNamed(def, 'controller'));
  const has = (type: string) => list.some((c) => c.attrs.type === type && c.attrs.index === '0');
  const usb = list.find((c) => c.attrs.type === 'usb' && c.attrs.index === '0');
  if (!usb) list.push(controller('usb', { model: q35 ? 'qemu-xhci' : 'piix3-uhci' }));
  else usb.attrs.model ??= q35 ? 'qemu-xhci' : 'piix3-uhci';
  if (q35 && !has('sata')) list.push(controller('sata'));
  if (!has('pci')) list.push(controller('pci', { model: q35 ? 'pcie-root' : 'pci-root' }));
  // virtio channels and consoles need a virtio-serial bus, smartcards a CCID one
  const virtioPort = (el: XmlElement) => (childElement(el, 'target')?.attrs.type ?? (el.name === 'channel' ? 'virtio' : 'serial')) === 'virtio';
  if (!list.some((c) => c.attrs.type === 'virtio-serial') && [...devicesNamed(def, 'channel'), ...devicesNamed(def, 'console')].some(virtioPort)) {
    list.push(controller('virtio-serial'));
  }
  if (!list.some((c) => c.attrs.type === 'ccid') && devicesNamed(def, 'smartcard').length) list.push(controller('ccid'));
  replaceDevices(def, 'controller', orderControllers(list));
  const inputs = devicesNamed(def, 'input');
  for (const type of ['mouse', 'keyboard']) {
    if (!inputs.some((i) => i.attrs.type === type && i.attrs.bus === 'ps2')) inputs.push(element('input', { type, bus: 'ps2' }));
  }
  replaceDevices(def, 'input', inputs);
  if (!devicesNamed(def, 'audio').length) def.devices.push({ kind: 'other', element: element('audio', { id: '1', type: 'none' }) });
  if (!devicesNamed(def, 'memballoon').length) def.devices.push({ kind: 'other', element: element('memballoon', { model: 'virtio' }) });
}

/** A serial port of an x86 guest is an ISA one unless it says otherwise. */
function fillSerialTarget(serial: XmlElement): void {
  const target = childElement(serial, 'target');
  if (!target) return;
  target.attrs.type ??= 'isa-serial';
  if (!childElement(target, 'model')) target.children.push(element('model', { name: target.attrs.type }));
}

/** USB devices without an address get the next port of the first USB bus, as libvirt numbers them from 1. */
function assignUsbPorts(def: DomainDef): void {
  const usbDevices = devicesNamed(def, 'input').filter((i) => i.attrs.bus === 'usb');
  const addressOf = (el: XmlElement) => childElement(el, 'address');
  const used = new Set(usbDevices.map((el) => addressOf(el)).filter((a) => a?.attrs.type === 'usb').map((a) => a!.attrs.port));
  let port = 1;
  for (const el of usbDevices) {
    if (addressOf(el)) continue;
    while (used.has(String(port))) port++;
    used.add(String(port));
    el.children.push(element('address', { type: 'usb', bus: '0', port: String(port) }));
  }
}

export interface QemuDefaultsOptions {
  /** the emulator a definition without one runs */
  emulator: string;
  /** a new definition (define, create): a Q35 guest gets a spare root port for hot-plug */
  fresh: boolean;
}

/** Fill in libvirt's defaults for a QEMU guest, in place; applying them twice changes nothing more. */
export function fillDomainDefaults(def: DomainDef, caps: QemuCapabilities, opts: QemuDefaultsOptions): DomainDef {
  expandMachine(def, caps);
  defaultCpu(def, caps);
  addDefaultDevices(def, opts.emulator);
  for (const dev of def.devices) fillDeviceDefaults(dev);
  applyDomainDefaults(def, { videoModel: () => VIDEO_MODEL });
  for (const s of devicesNamed(def, 'serial')) fillSerialTarget(s);
  assignPciAddresses(def, opts.fresh);
  assignUsbPorts(def);
  replaceDevices(def, 'controller', orderControllers(devicesNamed(def, 'controller')));
  return def;
}
