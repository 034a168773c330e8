// What libvirt's Xen (libxl) driver fills into a domain definition after parsing it, on
// top of the hypervisor-neutral defaults core applies: the guest's architecture and
// machine, disk formats (xl's default is raw), the xenbus controller, Xen's implicit
// keyboard and mouse, a PV console, PCI passthrough through Xen, video cards and their
// memory as libxl sizes them, and the Xen balloon.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { applyDomainDefaults, childElements, element, type DomainDef, type XmlElement } from '@tsvirt/core/xml';

const MACHINES: Record<string, string> = { hvm: 'xenfv', linux: 'xenpv', xen: 'xenpv', xenpvh: 'xenpvh' };
/** The prefix of the MAC addresses libvirt gives Xen guests' NICs (Xen's own OUI). */
const XEN_MAC_PREFIX = '00:16:3e';
const randomMac = () => `${XEN_MAC_PREFIX}:${[...globalThis.crypto.getRandomValues(new Uint8Array(3))].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** Xen's most vCPUs for a guest, and most NUMA nodes. */
export const MAX_VCPUS = 4096;
export const MAX_NUMA_NODES = 64;

const others = (def: DomainDef, name: string): XmlElement[] =>
  def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === name ? [d.element] : []));
const addDevice = (def: DomainDef, el: XmlElement) => def.devices.push({ kind: 'other', element: el });

/** libxl's video memory for a card (KiB), by model, for an HVM guest with QEMU's upstream device model. */
const HVM_VRAM: Record<string, number> = { vga: 16384, xen: 16384, cirrus: 8192, qxl: 131072 };

function fillVideo(def: DomainDef, hvm: boolean): void {
  const videos = others(def, 'video');
  if (videos.length === 0 && others(def, 'graphics').length > 0) {
    const video = element('video');
    addDevice(def, video);
    videos.push(video);
  }
  for (const v of videos) {
    let model = childElements(v, 'model')[0];
    if (!model) v.children.push(model = element('model'));
    model.attrs.type ??= hvm ? 'cirrus' : 'xen';
    const vram = hvm ? HVM_VRAM[model.attrs.type] : undefined;
    if (model.attrs.vram === undefined && vram !== undefined) model.attrs.vram = String(vram);
  }
}

function fillInputs(def: DomainDef, hvm: boolean): void {
  const bus = hvm ? 'ps2' : 'xen';
  const inputs = others(def, 'input');
  for (const type of ['mouse', 'keyboard']) {
    if (!inputs.some((i) => i.attrs.type === type && i.attrs.bus === bus)) addDevice(def, element('input', { type, bus }));
  }
}

/** Fill in the Xen driver's defaults and then core's, in place. */
export function applyXenDefaults(def: DomainDef): DomainDef {
  const hvm = def.os.type === 'hvm';
  if (def.vcpu.max > MAX_VCPUS) throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, `${def.vcpu.max} vCPUs: a Xen guest has at most ${MAX_VCPUS}`);
  const numa = def.extra.find((e) => e.name === 'cpu')?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'numa');
  if (numa && childElements(numa, 'cell').length > MAX_NUMA_NODES) {
    throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, `more than ${MAX_NUMA_NODES} NUMA cells: Xen's most`);
  }
  def.os.arch ??= 'x86_64';
  def.os.machine ??= MACHINES[def.os.type];
  for (const d of def.devices) {
    // a NIC that names no MAC address gets one, as libvirt gives it (Xen's prefix)
    if (d.kind === 'interface') d.mac ??= randomMac();
    if (d.kind !== 'disk') continue;
    if (d.type === 'network') d.driver = { name: 'qemu', ...d.driver };
    if (d.driver?.type === undefined) d.driver = { ...d.driver, type: 'raw' };
  }
  if (!others(def, 'controller').some((c) => c.attrs.type === 'xenbus')) addDevice(def, element('controller', { type: 'xenbus', index: '0' }));
  for (const h of others(def, 'hostdev')) {
    if (h.attrs.type === 'pci' && !childElements(h, 'driver').length) h.children.unshift(element('driver', { name: 'xen' }));
  }
  if (!hvm && others(def, 'console').length === 0) {
    addDevice(def, element('console', { type: 'pty' }, [element('target', { type: 'xen', port: '0' })]));
  }
  fillInputs(def, hvm);
  fillVideo(def, hvm);
  if (others(def, 'memballoon').length === 0) addDevice(def, element('memballoon', { model: 'xen' }));
  return applyDomainDefaults(def, { videoModel: () => (hvm ? 'cirrus' : 'xen') });
}
