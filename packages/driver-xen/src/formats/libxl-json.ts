// A domain definition → libxl's domain configuration (libxl_domain_config) as libxl
// prints it in JSON: fields in libxl's order, a field at its default left out, libxl's
// booleans as "True"/"False". Two toolstacks fill the same structure differently, and
// `policy` says whose choices to make:
//  - 'libvirt': what libvirt's libxl driver builds from the definition (graphics as
//    framebuffers for every guest, disks removable, NIC types set, video and shadow
//    memory sized, the bootloader where libvirt's libxl puts it).
//  - 'xl': what Xen 4.17's xl builds from the xl.cfg tsvirt writes for the definition
//    (domxml-to-native xen-xl), as `xl -N create` prints it: xl's own defaults from
//    xl.conf (claim mode, hotplug scripts, soft reset), its choice of free VNC ports.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { childElement, childElements, parseIdList, textOf, type DiskDef, type DomainDef, type InterfaceDef, type XmlElement } from '@tsvirt/core/xml';
import { cpuFeatureToLibxl, cpuidBit } from './cpuid-names.js';
import { cellMemoryKiB, numaCells, numaDistances, pvBootloader, rbdTarget } from './domain-to-xl.js';
import { XEN_NAMESPACE } from './xl-config-parse.js';
import { devicesNamed, formatCharDev, interfaces, topLevel } from './xen-config-format.js';

export type LibxlPolicy = 'libvirt' | 'xl';
type Json = string | number | boolean | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const bool = (b: boolean) => (b ? 'True' : 'False');
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** libxl's own estimate of a guest's shadow page table memory (libxl_get_required_shadow_memory), KiB. */
export const requiredShadowMemory = (maxMemKiB: number, vcpus: number) => 4 * (256 * vcpus + 2 * Math.floor(maxMemKiB / 1024));

const LIFECYCLE: Record<string, string> = {
  destroy: 'destroy', restart: 'restart', 'rename-restart': 'restart_rename', preserve: 'preserve',
  'coredump-destroy': 'coredump_destroy', 'coredump-restart': 'coredump_restart',
};
const TSC_MODES: Record<string, string> = { native: 'native', paravirt: 'native_paravirt', emulate: 'always_emulate' };

interface Ctx {
  def: DomainDef;
  policy: LibxlPolicy;
  hvm: boolean;
}

const feature = (def: DomainDef, name: string) => {
  const f = topLevel(def, 'features');
  return f ? childElement(f, name) : undefined;
};
const featureOn = (def: DomainDef, name: string) => {
  const el = feature(def, name);
  return el !== undefined && el.attrs.state !== 'off';
};

function createInfo(c: Ctx): JsonObject {
  const { def } = c;
  const info: JsonObject = { type: c.hvm ? 'hvm' : def.os.type === 'xenpvh' ? 'pvh' : 'pv' };
  const hap = feature(def, 'hap');
  if (c.hvm && hap) info.hap = bool(hap.attrs.state !== 'off');
  info.name = def.name;
  info.uuid = def.uuid;
  if (c.policy === 'xl') info.run_hotplug_scripts = 'True';
  const xen = feature(def, 'xen');
  const passthrough = xen && childElement(xen, 'passthrough');
  if (passthrough?.attrs.state === 'on') info.passthrough = passthrough.attrs.mode ?? 'enabled';
  return info;
}

function vcpuAffinity(c: Ctx): Json[] | undefined {
  // libvirt pins vCPUs once the domain runs; xl writes cpus= into every vCPU's affinity
  if (c.policy !== 'xl' || c.def.vcpu.cpuset === undefined) return undefined;
  const cpus = parseIdList(c.def.vcpu.cpuset, 4096);
  return range(c.def.vcpu.max).map(() => cpus);
}

/**
 * A VNC or SDL display as libxl's vnc and sdl fields. `vfb`: a PV guest's framebuffer,
 * which xl's vfb= leaves enabled by default (it says nothing of enable).
 */
function graphicsDisplay(c: Ctx, g: XmlElement, vfb: boolean): { vnc: JsonObject; sdl: JsonObject } {
  const vnc: JsonObject = {};
  const sdl: JsonObject = {};
  const autoport = g.attrs.autoport === 'yes' || g.attrs.port === '-1' || g.attrs.port === undefined;
  const explicit = c.policy === 'libvirt' || !vfb;
  if (g.attrs.type === 'vnc') {
    if (explicit) vnc.enable = 'True';
    const listen = g.attrs.listen ?? childElements(g, 'listen').find((l) => l.attrs.address)?.attrs.address;
    if (listen !== undefined) vnc.listen = listen;
    if (g.attrs.passwd !== undefined) vnc.passwd = g.attrs.passwd;
    if (!autoport) vnc.display = Number(g.attrs.port) - 5900;
    // libvirt picks the port itself; xl lets QEMU find a free one
    vnc.findunused = bool(c.policy === 'xl' && autoport);
    if (explicit) sdl.enable = 'False';
  } else if (g.attrs.type === 'sdl') {
    if (explicit) sdl.enable = 'True';
    if (g.attrs.display !== undefined) sdl.display = g.attrs.display;
    if (g.attrs.xauth !== undefined) sdl.xauthority = g.attrs.xauth;
    if (explicit) vnc.enable = 'False';
  }
  return { vnc, sdl };
}

function spiceInfo(g: XmlElement | undefined): JsonObject {
  if (g?.attrs.type !== 'spice') return {};
  const s: JsonObject = { enable: 'True' };
  if (Number(g.attrs.port) > 0) s.port = Number(g.attrs.port);
  if (Number(g.attrs.tlsPort) > 0) s.tls_port = Number(g.attrs.tlsPort);
  const host = g.attrs.listen ?? childElements(g, 'listen').find((l) => l.attrs.address)?.attrs.address;
  if (host !== undefined) s.host = host;
  s.disable_ticketing = bool(g.attrs.passwd === undefined);
  if (g.attrs.passwd !== undefined) s.passwd = g.attrs.passwd;
  const mouse = childElement(g, 'mouse')?.attrs.mode;
  if (mouse) s.agent_mouse = bool(mouse === 'client');
  const clipboard = childElement(g, 'clipboard')?.attrs.copypaste === 'yes';
  if (mouse === 'client' || clipboard) s.vdagent = 'True';
  if (clipboard) s.clipboard_sharing = 'True';
  return s;
}

const BOOT_LETTERS: Record<string, string> = { fd: 'a', cdrom: 'd', network: 'n', hd: 'c' };

function hvmInfo(c: Ctx): JsonObject {
  const { def } = c;
  const h: JsonObject = {};
  const loader = def.os.extra.find((e) => e.name === 'loader');
  if (loader?.attrs.type === 'pflash') h.bios = 'ovmf';
  h.pae = bool(featureOn(def, 'pae'));
  if (c.policy === 'xl') h.viridian = bool(featureOn(def, 'viridian'));
  else if (featureOn(def, 'viridian')) h.viridian = 'True';
  const hpet = def.clock && childElements(def.clock, 'timer').find((t) => t.attrs.name === 'hpet');
  if (hpet) h.hpet = bool(hpet.attrs.present !== 'no');
  const acpi = def.os.extra.find((e) => e.name === 'acpi');
  const slic = acpi && childElements(acpi, 'table').find((t) => t.attrs.type === 'slic');
  if (slic) h.acpi_firmware = textOf(slic).trim();
  const graphics = devicesNamed(def, 'graphics');
  const first = graphics[0];
  const video = childElement(devicesNamed(def, 'video')[0] ?? { name: '', attrs: {}, children: [], line: 0 }, 'model');
  if (c.policy === 'libvirt') {
    if (!graphics.length) h.nographic = 'True';
    h.vga = { kind: video?.attrs.type === 'vga' ? 'std' : video?.attrs.type ?? 'none' };
  } else h.vga = {};
  // with no VNC or SDL display, libvirt switches both off; xl leaves VNC unset
  // with no display libvirt switches VNC and SDL off; xl leaves them unset, or off beside SPICE (vnc = 0, sdl = 0)
  const off = { vnc: { enable: 'False' }, sdl: { enable: 'False' } };
  const none: { vnc: JsonObject; sdl: JsonObject } = c.policy === 'libvirt' || first?.attrs.type === 'spice' ? off : { vnc: {}, sdl: {} };
  const display = first && first.attrs.type !== 'spice' ? graphicsDisplay(c, first, false) : none;
  h.vnc = display.vnc;
  if (first?.attrs.keymap !== undefined) h.keymap = first.attrs.keymap;
  h.sdl = display.sdl;
  h.spice = spiceInfo(first);
  const serials = devicesNamed(def, 'serial');
  const chardev = (x: XmlElement) => formatCharDev(x, (what) => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, what));
  if (serials.length > 1) h.serial_list = serials.map(chardev);
  else if (serials.length === 1) h.serial = chardev(serials[0]);
  else if (!serials.length && c.policy === 'xl') h.serial = 'none';
  h.boot = def.os.boot.length ? def.os.boot.map((b) => BOOT_LETTERS[b] ?? 'c').join('') : 'c';
  const usbInputs = devicesNamed(def, 'input').filter((i) => i.attrs.bus === 'usb').map((i) => i.attrs.type);
  if (usbInputs.length) {
    if (c.policy === 'xl') h.usb = 'True';
    // xl.cfg names one USB device as a string (usbdevice = "tablet"), which xl keeps as one
    if (c.policy === 'xl' && usbInputs.length === 1) h.usbdevice = usbInputs[0];
    else h.usbdevice_list = usbInputs;
  }
  const sounds = devicesNamed(def, 'sound').map((s) => s.attrs.model);
  if (sounds.length) h.soundhw = sounds.join(',');
  h.rdm = {};
  return h;
}

const POLICY_BITS: Record<string, string> = { force: '1', require: '1', optional: 'x', disable: '0', forbid: '0' };

/**
 * A host-passthrough CPU's features as libxl's CPUID policy: per leaf, each register as 32
 * characters from bit 31 down ('1' set, '0' clear, 'x' as the host has it). vmx and svm
 * are not CPUID bits to libxl: they are nested_hvm.
 */
function cpuidPolicy(c: Ctx): JsonObject[] {
  const cpu = topLevel(c.def, 'cpu');
  if (cpu?.attrs.mode !== 'host-passthrough') return [];
  const leaves: JsonObject[] = [];
  for (const f of childElements(cpu, 'feature')) {
    if (f.attrs.name === 'vmx' || f.attrs.name === 'svm') continue;
    const where = cpuidBit(cpuFeatureToLibxl(f.attrs.name));
    if (!where) throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, `CPU feature '${f.attrs.name}' has no place in libxl's CPUID policy`);
    let leaf = leaves.find((l) => l.leaf === where.leaf && l.subleaf === where.subleaf);
    if (!leaf) {
      leaf = where.subleaf === undefined ? { leaf: where.leaf } : { leaf: where.leaf, subleaf: where.subleaf };
      leaves.push(leaf);
    }
    const bits = [...((leaf[where.reg] as string | undefined) ?? 'x'.repeat(32))];
    bits[31 - where.bit] = POLICY_BITS[f.attrs.policy ?? 'require'] ?? '1';
    leaf[where.reg] = bits.join('');
  }
  return leaves;
}

function buildInfo(c: Ctx): JsonObject {
  const { def } = c;
  const b: JsonObject = {};
  const current = def.vcpu.current ?? def.vcpu.max;
  b.max_vcpus = def.vcpu.max;
  b.avail_vcpus = range(current);
  const affinity = vcpuAffinity(c);
  if (affinity) b.vcpu_hard_affinity = affinity;
  const tsc = def.clock && childElements(def.clock, 'timer').find((t) => t.attrs.name === 'tsc');
  if (tsc && TSC_MODES[tsc.attrs.mode ?? '']) b.tsc_mode = TSC_MODES[tsc.attrs.mode ?? ''];
  b.max_memkb = def.memory;
  b.target_memkb = def.currentMemory;
  if (c.policy === 'libvirt') {
    const vram = childElement(devicesNamed(def, 'video')[0] ?? { name: '', attrs: {}, children: [], line: 0 }, 'model')?.attrs.vram;
    if (c.hvm && vram !== undefined && devicesNamed(def, 'graphics').length) b.video_memkb = Number(vram);
    b.shadow_memkb = requiredShadowMemory(def.memory, def.vcpu.max);
  }
  const localtime = def.clockOffset === 'localtime' || def.clock?.attrs.basis === 'localtime';
  const adjustment = Number(def.clock?.attrs.adjustment);
  // xl.cfg's rtc_timeoffset is written for a variable clock only
  const offsetWritten = c.policy === 'libvirt' || def.clockOffset === 'variable';
  if (c.hvm && offsetWritten && Number.isFinite(adjustment) && adjustment !== 0) b.rtc_timeoffset = adjustment;
  if (localtime || c.policy === 'xl') b.localtime = bool(localtime);
  const cpuid = cpuidPolicy(c);
  // libxl 4.17 prints its CPUID policy with the MSR policy beside it
  if (cpuid.length) b.cpuid = c.policy === 'xl' ? { cpuid, msr: [] } : cpuid;
  const cells = numaCells(def);
  if (cells.length) {
    const distances = numaDistances(cells);
    b.vnuma_nodes = cells.map((cell, i) => {
      const node: JsonObject = { memkb: cellMemoryKiB(cell), distances: distances[i] };
      if (i) node.pnode = i;
      node.vcpus = parseIdList(cell.attrs.cpus ?? '', 4096);
      return node;
    });
  }
  const xenbus = devicesNamed(def, 'controller').find((x) => x.attrs.type === 'xenbus');
  if (Number(xenbus?.attrs.maxGrantFrames) > 0) b.max_grant_frames = Number(xenbus!.attrs.maxGrantFrames);
  const emulator = devicesNamed(def, 'emulator')[0];
  if (c.hvm && c.policy === 'libvirt' && emulator) b.device_model_version = 'qemu_xen';
  if (emulator && c.hvm) b.device_model = textOf(emulator).trim();
  const shares = childElement(topLevel(def, 'cputune') ?? { name: '', attrs: {}, children: [], line: 0 }, 'shares');
  const args = def.extra.find((e) => e.name.endsWith(':commandline') && def.namespaces?.[`xmlns:${e.name.split(':')[0]}`] === XEN_NAMESPACE);
  if (args) b.extra = childElements(args).map((a) => a.attrs.value ?? '');
  // xl.cfg has no scheduler weight: only libvirt passes cputune's shares
  b.sched_params = shares && c.policy === 'libvirt' ? { weight: Number(textOf(shares)) } : {};
  if (c.policy === 'xl') b.claim_mode = 'True';
  if (Number(xenbus?.attrs.maxEventChannels) > 0) b.event_channels = Number(xenbus!.attrs.maxEventChannels);
  if (def.os.kernel !== undefined) b.kernel = def.os.kernel;
  if (def.os.cmdline !== undefined) b.cmdline = def.os.cmdline;
  if (def.os.initrd !== undefined) b.ramdisk = def.os.initrd;
  if (c.hvm) {
    b.acpi = bool(featureOn(def, 'acpi'));
    b.apic = bool(featureOn(def, 'apic'));
  }
  const bootloader = c.hvm ? undefined : pvBootloader(def);
  if (bootloader !== undefined && c.policy === 'xl') b.bootloader = bootloader;
  const cpu = topLevel(def, 'cpu');
  if (c.hvm && cpu?.attrs.mode === 'host-passthrough') {
    const off = childElements(cpu, 'feature').some((f) => (f.attrs.policy === 'disable' || f.attrs.policy === 'forbid') && (f.attrs.name === 'vmx' || f.attrs.name === 'svm'));
    b.nested_hvm = bool(!off);
  }
  if (c.hvm) b['type.hvm'] = hvmInfo(c);
  else if (def.os.type === 'xenpvh') b['type.pvh'] = {};
  else {
    const pv: JsonObject = {};
    if (c.policy === 'libvirt' && bootloader !== undefined) pv.bootloader = bootloader;
    const xen = feature(def, 'xen');
    if (xen && childElement(xen, 'e820_host')?.attrs.state === 'on') pv.e820_host = 'True';
    b['type.pv'] = pv;
  }
  b.arch_arm = {};
  if (c.policy === 'xl') b.arch_x86 = {};
  return b;
}

const BACKENDS: Record<string, string> = { qemu: 'qdisk', file: 'qdisk', tap: 'tap', phy: 'phy' };

function disk(c: Ctx, d: DiskDef): JsonObject {
  const j: JsonObject = {};
  const path = d.type === 'network' ? rbdTarget(d, (what) => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, what)) : d.source?.file ?? d.source?.dev;
  if (path !== undefined) j.pdev_path = path;
  j.vdev = d.target.dev;
  const backend = d.driver?.name !== undefined ? BACKENDS[d.driver.name] : undefined;
  if (backend) j.backend = backend;
  j.format = path === undefined && d.device === 'cdrom' ? 'empty' : d.driver?.type ?? 'raw';
  if (c.policy === 'libvirt' || d.device === 'cdrom') j.removable = 1;
  if (!d.readonly && d.device !== 'cdrom') j.readwrite = 1;
  if (d.device === 'cdrom') j.is_cdrom = 1;
  return j;
}

function nic(c: Ctx, n: InterfaceDef, devid: number): JsonObject {
  const j: JsonObject = { devid };
  // xl.cfg says a PV NIC of an HVM guest as type=vif, which xl turns into nictype rather than a model
  const pvNic = c.policy === 'xl' && c.hvm && n.model === 'netfront';
  if (n.model !== undefined && !pvNic) j.model = n.model;
  if (n.mac !== undefined) j.mac = n.mac;
  const ips = n.extra.filter((e) => e.name === 'ip').map((e) => e.attrs.address);
  if (ips.length) j.ip = ips.join(' ');
  if (n.type === 'bridge' && n.source?.bridge !== undefined) j.bridge = bridgeWithVlans(n);
  if (n.targetDev !== undefined) j.ifname = n.targetDev;
  const script = n.extra.find((e) => e.name === 'script')?.attrs.path;
  if (script !== undefined) j.script = script;
  else if (c.policy === 'xl' && n.type === 'bridge') j.script = 'vif-bridge';
  if (c.policy === 'libvirt') j.nictype = c.hvm && n.model !== 'netfront' ? 'vif_ioemu' : 'vif';
  else if (pvNic) j.nictype = 'vif';
  const average = Number(n.extra.find((e) => e.name === 'bandwidth')?.children.find((x): x is XmlElement => typeof x !== 'string' && x.name === 'outbound')?.attrs.average);
  if (c.policy === 'xl' && average > 0) {
    // xl's rate: kB/s (of 1000 bytes), spent in 50 ms slices
    j.rate_bytes_per_interval = (average * 1000 * 50_000) / 1e6;
    j.rate_interval_usecs = 50_000;
  }
  return j;
}

/** PCI devices passed through: a hostdev interface's device (a NIC given to the guest whole), then the hostdevs'. */
function pciDevices(c: Ctx): JsonObject[] {
  const sources = [
    ...interfaces(c.def).filter((n) => n.type === 'hostdev').map((n) => (n.element ? childElement(n.element, 'source') : undefined)),
    ...devicesNamed(c.def, 'hostdev').filter((h) => h.attrs.type === 'pci').map((h) => childElement(h, 'source')),
  ];
  return sources.map((source) => {
    const a = source && childElement(source, 'address');
    const n = (v: string | undefined) => parseInt(v ?? '0', 16);
    const j: JsonObject = {};
    if (n(a?.attrs.function)) j.func = n(a?.attrs.function);
    if (n(a?.attrs.slot)) j.dev = n(a?.attrs.slot);
    if (n(a?.attrs.bus)) j.bus = n(a?.attrs.bus);
    if (n(a?.attrs.domain)) j.domain = n(a?.attrs.domain);
    // xl passes the one function named
    if (c.policy === 'xl') j.vfunc_mask = 1;
    if (source?.attrs.writeFiltering === 'no') j.permissive = true;
    if (c.policy === 'libvirt') j.rdm_policy = 'invalid';
    return j;
  });
}

/** A bridge with the VLAN tag or trunk of an Open vSwitch port ("br.42", "br:42:43"), as libxl takes it. */
function bridgeWithVlans(n: InterfaceDef): string {
  let bridge = n.source?.bridge ?? '';
  if (n.extra.find((e) => e.name === 'virtualport')?.attrs.type !== 'openvswitch') return bridge;
  const vlan = n.extra.find((e) => e.name === 'vlan');
  const tags = vlan ? childElements(vlan, 'tag').map((t) => t.attrs.id) : [];
  if (tags.length) bridge += vlan!.attrs.trunk === 'yes' ? tags.map((t) => `:${t}`).join('') : `.${tags[0]}`;
  return bridge;
}

function channels(def: DomainDef): JsonObject[] {
  return devicesNamed(def, 'channel').filter((ch) => childElement(ch, 'target')?.attrs.type === 'xen').map((ch, devid) => {
    const j: JsonObject = { devid, name: childElement(ch, 'target')?.attrs.name ?? '' };
    if (ch.attrs.type === 'unix') j['connection.socket'] = { path: childElement(ch, 'source')?.attrs.path ?? '' };
    else j['connection.pty'] = {};
    return j;
  });
}

function usbControllers(def: DomainDef): JsonObject[] {
  return devicesNamed(def, 'controller').filter((x) => x.attrs.type === 'usb').map((x, devid) => {
    const j: JsonObject = { devid };
    if (x.attrs.model === 'qusb1' || x.attrs.model === 'qusb2') {
      j.type = 'qusb';
      j.version = x.attrs.model === 'qusb1' ? 1 : 2;
    }
    if (x.attrs.ports !== undefined) j.ports = Number(x.attrs.ports);
    return j;
  });
}

/** The domain configuration libxl gets for a (Xen-defaulted) definition, as libxl prints it. */
export function libxlDomainConfig(def: DomainDef, policy: LibxlPolicy = 'libvirt'): JsonObject {
  const c: Ctx = { def, policy, hvm: def.os.type === 'hvm' };
  const config: JsonObject = { c_info: createInfo(c), b_info: buildInfo(c) };
  const disks = def.devices.flatMap((d) => (d.kind === 'disk' && d.device !== 'floppy' ? [disk(c, d)] : []));
  if (disks.length) config.disks = disks;
  const nics = interfaces(def).filter((n) => n.type !== 'hostdev');
  for (const n of nics) {
    if (n.type !== 'bridge' && n.type !== 'ethernet') {
      throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, `libxl configuration of an interface of type '${n.type}'`);
    }
  }
  if (nics.length) config.nics = nics.map((n, i) => nic(c, n, i));
  const pcidevs = pciDevices(c);
  if (pcidevs.length) config.pcidevs = pcidevs;
  const chans = channels(def);
  if (chans.length) config.channels = chans;
  const usbctrls = usbControllers(def);
  if (usbctrls.length) config.usbctrls = usbctrls;
  // libxl 4.17 prints a USB host device without its address (its keyed union is left out)
  const usbdevs = devicesNamed(def, 'hostdev').filter((h) => h.attrs.type === 'usb');
  if (usbdevs.length && policy === 'xl') config.usbdevs = usbdevs.map(() => ({}));
  // libvirt gives every VNC or SDL display a framebuffer and a keyboard; xl only a PV guest's vfb=
  const framebuffers = devicesNamed(def, 'graphics').filter((g) => g.attrs.type === 'vnc' || g.attrs.type === 'sdl');
  if (framebuffers.length && (policy === 'libvirt' || !c.hvm)) {
    const devid = policy === 'libvirt' ? -1 : 0;
    config.vfbs = framebuffers.map((g, i) => {
      const vfb: JsonObject = { devid: devid < 0 ? devid : i, ...graphicsDisplay(c, g, !c.hvm) };
      if (g.attrs.keymap !== undefined) vfb.keymap = g.attrs.keymap;
      return vfb;
    });
    config.vkbs = framebuffers.map((_, i) => ({ devid: devid < 0 ? devid : i }));
  }
  if (def.onPoweroff !== 'destroy') config.on_poweroff = LIFECYCLE[def.onPoweroff];
  if (def.onReboot !== 'destroy') config.on_reboot = LIFECYCLE[def.onReboot];
  if (def.onCrash !== 'destroy') config.on_crash = LIFECYCLE[def.onCrash];
  if (policy === 'xl') config.on_soft_reset = 'soft_reset';
  return config;
}

/** The libxl domain configuration as libxl's JSON text (four-space indent, as xl prints it). */
export const domainToLibxlJson = (def: DomainDef, policy: LibxlPolicy = 'libvirt'): string => `${JSON.stringify(libxlDomainConfig(def, policy), null, 4)}\n`;
