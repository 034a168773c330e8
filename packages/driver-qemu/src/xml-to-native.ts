// Domain definition → QEMU argv. Pure: no file system, no process, no clock,
// so that `virsh domxml-to-native` and a start give the same arguments. The
// QMP monitor and pidfile are added by QemuProcess, not here. Each kind of
// device has its module; this one orders them and wires them to their buses.

import { childElement, childElements, childText, textOf, type DomainDef, type InterfaceDef, type XmlElement } from '@tsvirt/core/xml';
import { audiodevArgs, soundArgs } from './audio-args.js';
import { chardevArgs } from './chardev-args.js';
import { diskArgs, type QemuObject } from './disk-args.js';
import { graphicsArgs, VIDEO_MODEL_NAMES, videoArgs } from './graphics-args.js';
import { filesystemArgs, hostdevArgs } from './host-device-args.js';
import { memoryArgs } from './memory-args.js';
import { unsupported } from './native-errors.js';
import { isQ35 } from './pci-addresses.js';
import { pciProps } from './pci-props.js';
import {
  genidArgs, iommuArgs, iothreadArgs, panicArgs, rngArgs, tpmArgs, vsockArgs, wantsHypervCrash, watchdogArgs,
} from './platform-device-args.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';
import { virtioOptions } from './virtio-options.js';


/** Top-level elements that need no argument of their own (read elsewhere, or only metadata). */
// cputune's vcpupin is applied to the vCPU threads once QEMU runs (see thread-affinity.ts).
const PASSIVE_TOP_LEVEL = new Set([
  'features', 'cpu', 'pm', 'seclabel', 'resource', 'sysinfo', 'cputune',
  // read by memoryArgs and iothreadArgs
  'memoryBacking', 'maxMemory', 'numatune', 'iothreads', 'iothreadids', 'genid',
  // user namespace mappings are for containers: a QEMU guest has none
  'idmap',
]);
const ACCELERATORS: Record<string, string> = { kvm: 'kvm', qemu: 'tcg' };
const BOOT_LETTERS: Record<string, string> = { hd: 'c', cdrom: 'd', network: 'n', fd: 'a' };
const NIC_MODELS: Record<string, string> = {
  virtio: 'virtio-net-pci', 'virtio-transitional': 'virtio-net-pci-transitional', 'virtio-non-transitional': 'virtio-net-pci-non-transitional',
  e1000: 'e1000', e1000e: 'e1000e', rtl8139: 'rtl8139', vmxnet3: 'vmxnet3', ne2k_pci: 'ne2k_pci', pcnet: 'pcnet', i82559er: 'i82559er',
};

/** What this module can turn into arguments, for the domain capabilities XML. */
export const SUPPORTED_DEVICES = {
  diskDevice: ['disk', 'cdrom', 'floppy', 'lun'],
  diskBus: ['ide', 'scsi', 'virtio', 'usb', 'sata', 'fdc'],
  graphicsType: ['vnc', 'spice', 'sdl', 'egl-headless', 'dbus'],
  videoModelType: VIDEO_MODEL_NAMES,
  interfaceType: ['user', 'ethernet', 'bridge', 'network'],
  interfaceModel: Object.keys(NIC_MODELS),
  // libvirt's enums of each device, in its order: what the device modules turn into arguments
  hostdev: { mode: ['subsystem'], startupPolicy: [], subsysType: ['usb'], capsType: [], pciBackend: [] },
  rng: { model: ['virtio', 'virtio-transitional', 'virtio-non-transitional'], backendModel: ['random', 'egd', 'builtin'] },
  filesystem: { driverType: ['path'] },
  tpm: { model: ['tpm-tis', 'tpm-crb'], backendModel: ['emulator', 'external'], backendVersion: ['1.2', '2.0'] },
  redirdev: { bus: ['usb'] },
  channel: { type: ['pty', 'unix', 'spicevmc'] },
  memoryBackingSourceType: ['file', 'anonymous', 'memfd'],
} as const;
const USB_CONTROLLERS: Record<string, string> = {
  'piix3-uhci': 'piix3-usb-uhci', 'piix4-uhci': 'piix4-usb-uhci', ehci: 'usb-ehci', 'ich9-ehci1': 'ich9-usb-ehci1',
  'ich9-uhci1': 'ich9-usb-uhci1', 'ich9-uhci2': 'ich9-usb-uhci2', 'ich9-uhci3': 'ich9-usb-uhci3',
  'vt82c686b-uhci': 'vt82c686b-usb-uhci', 'pci-ohci': 'pci-ohci', 'qemu-xhci': 'qemu-xhci', 'nec-xhci': 'nec-usb-xhci',
};
const SCSI_CONTROLLERS: Record<string, string> = {
  'virtio-scsi': 'virtio-scsi-pci', 'virtio-transitional': 'virtio-scsi-pci-transitional', 'virtio-non-transitional': 'virtio-scsi-pci-non-transitional',
  lsilogic: 'lsi', lsisas1068: 'mptsas1068', lsisas1078: 'megasas', vmpvscsi: 'pvscsi', am53c974: 'am53c974', dc390: 'dc390',
};
const PCI_CONTROLLERS: Record<string, string> = {
  'pci-bridge': 'pci-bridge', 'pcie-root-port': 'pcie-root-port', 'pcie-to-pci-bridge': 'pcie-pci-bridge',
  'dmi-to-pci-bridge': 'i82801b11-bridge', 'pcie-switch-upstream-port': 'x3130-upstream', 'pcie-switch-downstream-port': 'xio3130-downstream',
  'pci-expander-bus': 'pxb', 'pcie-expander-bus': 'pxb-pcie',
};
const INPUT_DEVICES: Record<string, Record<string, string>> = {
  usb: { tablet: 'usb-tablet', mouse: 'usb-mouse', keyboard: 'usb-kbd' },
  virtio: { tablet: 'virtio-tablet-pci', mouse: 'virtio-mouse-pci', keyboard: 'virtio-keyboard-pci', passthrough: 'virtio-input-host-pci' },
};

export interface NativeOptions {
  /** Whether QEMU should start with its vCPUs stopped (-S); the driver starts it so and resumes after setup. */
  paused?: boolean;
  /** The guest's own folder, for the sockets and files a definition asks for without naming them. */
  domainDir?: string;
  /** The host's NUMA nodes, which a <numatune> nodeset may name (default: node 0 alone). */
  hostNumaNodes?: number[];
}

/** The QEMU arguments for a domain, or VIR_ERR_CONFIG_UNSUPPORTED naming what cannot be expressed. */
export function domainToQemuArgs(def: DomainDef, options: NativeOptions = {}): string[] {
  const accel = ACCELERATORS[def.type];
  if (!accel) throw unsupported(`domain type '${def.type}' is not supported by the QEMU driver`);
  if (def.os.type !== 'hvm') throw unsupported(`OS type '${def.os.type}'`);
  for (const el of def.extra) if (!PASSIVE_TOP_LEVEL.has(el.name)) throw unsupported(`element <${el.name}>`);

  const features = def.extra.find((e) => e.name === 'features');
  const cpu = def.extra.find((e) => e.name === 'cpu');
  const memory = memoryArgs(def, cpu, {
    hostNumaNodes: options.hostNumaNodes ?? [0], memoryDir: options.domainDir,
    pci: (address) => pciProps(address, isQ35(def)),
  });
  const ioapic = features && childElement(features, 'ioapic')?.attrs.driver;
  const args = [
    '-name', qemuOpts(undefined, { guest: def.name, 'debug-threads': true }),
    '-machine', qemuOpts(def.os.machine ?? 'pc', {
      acpi: features && childElement(features, 'acpi') ? undefined : false, usb: false,
      kernel_irqchip: ioapic === 'qemu' ? 'split' : undefined, ...memory.machine,
    }),
    '-accel', accel,
    ...cpuArgs(cpu, def),
    ...memory.args,
    '-uuid', def.uuid,
    '-no-user-config', '-nodefaults',
    '-rtc', qemuOpts(undefined, { base: def.clockOffset === 'localtime' ? 'localtime' : 'utc' }),
  ];
  if (def.onReboot === 'destroy') args.push('-no-reboot');
  if (options.paused) args.push('-S');
  args.push(...bootArgs(def));
  args.push(...iothreadArgs(def));
  const genid = def.extra.find((e) => e.name === 'genid');
  if (genid) args.push(...genidArgs(genid, def.uuid));
  args.push(...deviceArgs(def, options));
  return args;
}

function cpuArgs(cpu: XmlElement | undefined, def: DomainDef): string[] {
  const args: string[] = [];
  const hvCrash = wantsHypervCrash(def) ? { 'hv-crash': true } : {};
  if (cpu) {
    const mode = cpu.attrs.mode ?? 'custom';
    const features = childElements(cpu, 'feature').map((f) => ({
      [f.attrs.name]: f.attrs.policy === 'disable' || f.attrs.policy === 'forbid' ? false : true,
    }));
    let model: string | undefined;
    if (mode === 'host-passthrough' || mode === 'host-model') model = def.type === 'kvm' ? 'host' : 'max';
    else if (mode === 'maximum') model = 'max';
    else if (mode === 'custom') model = childText(cpu, 'model');
    else throw unsupported(`CPU mode '${mode}'`);
    if (model) args.push('-cpu', qemuOpts(model, Object.assign({}, ...features, hvCrash)));
    else if (wantsHypervCrash(def)) throw unsupported('a Hyper-V panic notifier without a CPU model');
  } else if (wantsHypervCrash(def)) {
    throw unsupported('a Hyper-V panic notifier without a CPU model');
  }
  const topology = cpu && childElement(cpu, 'topology');
  const t = topology?.attrs ?? {};
  args.push('-smp', qemuOpts(String(def.vcpu.current ?? def.vcpu.max), {
    maxcpus: def.vcpu.max, sockets: t.sockets, dies: t.dies, cores: t.cores, threads: t.threads,
  }));
  return args;
}

/** Whether any device names its place in the boot order (then the devices say it, not -boot). */
const hasDeviceBootOrder = (def: DomainDef) => def.devices.some((d) => {
  const el = d.kind === 'other' ? d.element : d.element;
  return !!el && !!childElement(el, 'boot');
});

function bootArgs(def: DomainDef): string[] {
  const { os } = def;
  if (os.kernel) {
    const args = ['-kernel', os.kernel];
    if (os.initrd) args.push('-initrd', os.initrd);
    if (os.cmdline !== undefined) args.push('-append', os.cmdline);
    return args;
  }
  if (os.initrd || os.cmdline !== undefined) throw unsupported('<initrd> or <cmdline> without <kernel>');
  const menu = os.extra?.find((e) => e.name === 'bootmenu')?.attrs.enable;
  if (hasDeviceBootOrder(def)) {
    if (os.boot.length) throw unsupported('per-device boot elements cannot be used together with os/boot elements');
    return ['-boot', qemuOpts(undefined, { menu: menu === undefined ? undefined : menu === 'yes', strict: true })];
  }
  // the PC's CMOS has room for three
  if (os.boot.length > 3) throw unsupported('more than three <boot> devices (give the devices a <boot order=.../> instead)');
  const order = os.boot.map((b) => {
    const letter = BOOT_LETTERS[b];
    if (!letter) throw unsupported(`boot device '${b}'`);
    return letter;
  });
  if (!order.length && menu === undefined) return [];
  return ['-boot', qemuOpts(undefined, { order: order.length ? order.join('') : undefined, menu: menu === undefined ? undefined : menu === 'yes', strict: true })];
}

/** The backend of one interface, as -netdev / netdev_add take it; `index` numbers its id (hostnetN). */
export function interfaceNetdev(nic: InterfaceDef, index: number): QemuObject {
  const id = `hostnet${index}`;
  switch (nic.type) {
    case 'user':
      return { driver: 'user', props: { id } };
    // a network's interface is a tap (made by the driver at start, named by the target), as libvirt's native form
    case 'network':
    case 'ethernet':
      return { driver: 'tap', props: { id, ifname: nic.targetDev, script: 'no', downscript: 'no' } };
    case 'bridge':
      if (!nic.source?.bridge) throw unsupported('bridge interface without <source bridge=.../>');
      // the driver's tap on the bridge (as root), else QEMU's bridge helper
      if (nic.targetDev) return { driver: 'tap', props: { id, ifname: nic.targetDev, script: 'no', downscript: 'no' } };
      return { driver: 'bridge', props: { id, br: nic.source.bridge } };
    default:
      throw unsupported(`interface type '${nic.type}'`);
  }
}

/** The guest's network card of one interface. */
export function interfaceDevice(nic: InterfaceDef, index: number, q35 = false): QemuObject {
  const model = NIC_MODELS[nic.model ?? 'rtl8139'];
  if (!model) throw unsupported(`interface model '${nic.model}'`);
  const order = nic.element && childElement(nic.element, 'boot')?.attrs.order;
  const virtio = model.startsWith('virtio') ? virtioOptions(nic.element) : {};
  return {
    driver: model,
    props: {
      ...virtio, netdev: `hostnet${index}`, id: nic.alias ?? `net${index}`, mac: nic.mac,
      bootindex: order === undefined ? undefined : Number(order), ...pciProps(nic.address, q35),
    },
  };
}

/** -netdev and -device of one interface; `index` numbers its ids (hostnetN, netN). */
export function interfaceArgs(nic: InterfaceDef, index: number, q35 = false): string[] {
  const netdev = interfaceNetdev(nic, index);
  const device = interfaceDevice(nic, index, q35);
  return ['-netdev', qemuOpts(netdev.driver, netdev.props), '-device', qemuOpts(device.driver, device.props)];
}

function controllerArgs(el: XmlElement, q35: boolean): string[] {
  const index = el.attrs.index ?? '0';
  const model = el.attrs.model;
  const pci = pciProps(elementAddress(el), q35);
  const target = childElement(el, 'target')?.attrs ?? {};
  const driver = childElement(el, 'driver')?.attrs ?? {};
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  switch (el.attrs.type) {
    case 'pci': {
      if (model === undefined || model === 'pci-root' || model === 'pcie-root') return [];
      const type = PCI_CONTROLLERS[model];
      if (!type) throw unsupported(`PCI controller model '${model}'`);
      const id = `pci.${index}`;
      switch (model) {
        case 'pci-bridge': return ['-device', qemuOpts(type, { id, chassis_nr: target.chassis ?? index, ...pci })];
        case 'pcie-root-port': case 'pcie-switch-downstream-port':
          return ['-device', qemuOpts(type, {
            port: num(target.port), chassis: target.chassis ?? index, id,
            hotplug: target.hotplug === undefined ? undefined : target.hotplug === 'on', ...pci,
          })];
        case 'pci-expander-bus': case 'pcie-expander-bus':
          return ['-device', qemuOpts(type, { bus_nr: num(target.busNr), id, numa_node: num(childText(childElement(el, 'target') ?? el, 'node')), ...pci })];
        default: return ['-device', qemuOpts(type, { id, ...pci })];
      }
    }
    case 'usb': {
      if (model === 'none') return [];
      const type = USB_CONTROLLERS[model ?? (q35 ? 'qemu-xhci' : 'piix3-uhci')];
      if (!type) throw unsupported(`USB controller model '${model}'`);
      const bus = index === '0' ? 'usb' : `usb${index}`;
      const master = childElement(el, 'master')?.attrs.startport;
      // a companion controller serves the ports of its EHCI master (same index)
      if (master !== undefined) return ['-device', qemuOpts(type, { masterbus: `${bus}.0`, firstport: Number(master), ...pci })];
      const ports = num(el.attrs.ports);
      const xhci = type.endsWith('xhci');
      return ['-device', qemuOpts(type, { p2: xhci ? ports : undefined, p3: xhci ? ports : undefined, id: bus, ...pci })];
    }
    case 'ide':
    case 'fdc':
      // The machine provides them (piix IDE on pc; the floppy controller is added with a floppy).
      return [];
    case 'sata':
      // AHCI is part of Q35; on i440FX it is a card of its own
      return q35 && index === '0' ? [] : ['-device', qemuOpts('ahci', { id: `sata${index}`, ...pci })];
    case 'scsi': {
      const type = SCSI_CONTROLLERS[model ?? 'lsilogic'];
      if (!type) throw unsupported(`SCSI controller model '${model}'`);
      const virtio = type.startsWith('virtio');
      return ['-device', qemuOpts(type, {
        ...(virtio ? virtioOptions(el) : {}), id: `scsi${index}`,
        num_queues: virtio ? num(driver.queues) : undefined, cmd_per_lun: virtio ? num(driver.cmd_per_lun) : undefined,
        max_sectors: virtio ? num(driver.max_sectors) : undefined, ioeventfd: virtio && driver.ioeventfd ? driver.ioeventfd === 'on' : undefined,
        iothread: virtio && driver.iothread ? `iothread${driver.iothread}` : undefined, ...pci,
      })];
    }
    case 'virtio-serial':
      return ['-device', qemuOpts(model === 'virtio-transitional' ? 'virtio-serial-pci-transitional' : model === 'virtio-non-transitional' ? 'virtio-serial-pci-non-transitional' : 'virtio-serial-pci', {
        ...virtioOptions(el), id: `virtio-serial${index}`, max_ports: num(el.attrs.ports), vectors: num(el.attrs.vectors), ...pci,
      })];
    case 'ccid':
      return ['-device', qemuOpts('usb-ccid', { id: `ccid${index}`, ...usbPort(el) })];
    default:
      throw unsupported(`controller type '${el.attrs.type}'`);
  }
}

/** bus= and port= of a device at a USB address. */
function usbPort(el: XmlElement): Record<string, QemuOptValue> {
  const a = elementAddress(el);
  if (a?.type !== 'usb') return {};
  return { bus: `${a.bus === undefined || a.bus === '0' ? 'usb' : `usb${a.bus}`}.0`, port: a.port };
}

/** Serial port devices by target type, on the bus each needs. */
function serialDevice(el: XmlElement, i: number, q35: boolean): string[] {
  const target = childElement(el, 'target');
  const type = target?.attrs.type ?? 'isa-serial';
  const chardev = `charserial${i}`;
  const address = elementAddress(el);
  switch (type) {
    case 'isa-serial': case 'serial': {
      const isa = address?.type === 'isa' ? address : undefined;
      return ['-device', qemuOpts('isa-serial', {
        chardev, id: `serial${i}`, iobase: isa?.iobase === undefined ? undefined : Number(isa.iobase), irq: isa?.irq === undefined ? undefined : Number(isa.irq),
      })];
    }
    case 'pci-serial': return ['-device', qemuOpts('pci-serial', { chardev, id: `serial${i}`, ...pciProps(address, q35) })];
    case 'usb-serial': return ['-device', qemuOpts('usb-serial', { chardev, id: `serial${i}`, ...usbPort(el) })];
    case 'isa-debug': {
      const isa = address?.type === 'isa' ? address : undefined;
      return ['-device', qemuOpts('isa-debugcon', { iobase: isa?.iobase === undefined ? undefined : Number(isa.iobase), chardev, id: `serial${i}` })];
    }
    default: throw unsupported(`serial target type '${type}'`);
  }
}

/** bus= and nr= of a port on a virtio-serial controller. */
function virtioSerialPort(el: XmlElement): Record<string, QemuOptValue> {
  const a = elementAddress(el);
  if (a?.type !== 'virtio-serial') return { bus: 'virtio-serial0.0' };
  return { bus: `virtio-serial${a.controller ?? 0}.${a.bus ?? 0}`, nr: a.port === undefined ? undefined : Number(a.port) };
}

function channelArgs(el: XmlElement, i: number, domainDir: string | undefined): string[] {
  const target = childElement(el, 'target')?.attrs ?? {};
  const chardev = `charchannel${i}`;
  const socketDir = domainDir;
  if (target.type === 'guestfwd') {
    if (!target.address || !target.port) throw unsupported('guestfwd channel without a target address and port');
    return [...chardevArgs(el, chardev, { socketDir }), '-netdev', qemuOpts('user', { guestfwd: `tcp:${target.address}:${target.port}-chardev:${chardev}`, id: `channel${i}` })];
  }
  if ((target.type ?? 'virtio') !== 'virtio') throw unsupported(`channel target type '${target.type}'`);
  return [
    ...chardevArgs(el, chardev, { socketDir }),
    '-device', qemuOpts('virtserialport', { ...virtioSerialPort(el), chardev, id: `channel${i}`, name: target.name }),
  ];
}

/** <console>s: the first serial one is serial port 0 seen again; virtio ones are consoles on a virtio-serial bus. */
function consoleArgs(consoles: XmlElement[], hasSerial: boolean, domainDir: string | undefined): string[] {
  const args: string[] = [];
  for (const [i, el] of consoles.entries()) {
    const target = childElement(el, 'target')?.attrs.type ?? 'serial';
    if (target === 'serial') {
      if (i === 0 && !hasSerial) args.push(...chardevArgs(el, 'charserial0'), '-device', qemuOpts('isa-serial', { chardev: 'charserial0', id: 'serial0' }));
      else if (i !== 0) throw unsupported('only the first console can be a serial one');
      continue;
    }
    if (target !== 'virtio') throw unsupported(`console target type '${target}'`);
    const chardev = `charconsole${i}`;
    args.push(...chardevArgs(el, chardev, { socketDir: domainDir }), '-device', qemuOpts('virtconsole', { ...virtioSerialPortIfAddressed(el), chardev, id: `console${i}` }));
  }
  return args;
}

const virtioSerialPortIfAddressed = (el: XmlElement) => (elementAddress(el)?.type === 'virtio-serial' ? virtioSerialPort(el) : {});

function inputArgs(el: XmlElement, i: number, q35: boolean): string[] {
  const bus = el.attrs.bus ?? 'ps2';
  // PS/2 mouse and keyboard are part of the pc and q35 machines.
  if (bus === 'ps2') return [];
  const type = INPUT_DEVICES[bus]?.[el.attrs.type];
  if (!type) throw unsupported(`input device '${el.attrs.type}' on bus '${bus}'`);
  const evdev = el.attrs.type === 'passthrough' ? childElement(el, 'source')?.attrs.evdev : undefined;
  if (el.attrs.type === 'passthrough' && !evdev) throw unsupported('passthrough input device without a source evdev');
  if (bus === 'usb') return ['-device', qemuOpts(type, { id: `input${i}`, bus: 'usb.0', port: elementAddress(el)?.port })];
  return ['-device', qemuOpts(type, { ...virtioOptions(el), id: `input${i}`, evdev, ...pciProps(elementAddress(el), q35) })];
}

function smartcardArgs(el: XmlElement, i: number, domainDir: string | undefined): string[] {
  const bus = { bus: `ccid${elementAddress(el)?.controller ?? 0}.0` };
  switch (el.attrs.mode) {
    case 'passthrough':
      return [...chardevArgs(el, `charsmartcard${i}`, { socketDir: domainDir }), '-device', qemuOpts('ccid-card-passthru', { chardev: `charsmartcard${i}`, id: `smartcard${i}`, ...bus })];
    case 'host':
      return ['-device', qemuOpts('ccid-card-emulated', { backend: 'nss-emulated', id: `smartcard${i}`, ...bus })];
    case 'host-certificates': {
      const certs = childElements(el, 'certificate').map((c) => textOf(c).trim());
      if (certs.length !== 3) throw unsupported('host-certificates smartcard without three certificates');
      const db = childText(el, 'database');
      return ['-device', qemuOpts('ccid-card-emulated', { backend: 'certificates', cert1: certs[0], cert2: certs[1], cert3: certs[2], db: db === undefined ? undefined : `sql:${db}`, id: `smartcard${i}`, ...bus })];
    }
    default: throw unsupported(`smartcard mode '${el.attrs.mode}'`);
  }
}

function deviceArgs(def: DomainDef, options: NativeOptions): string[] {
  const q35 = isQ35(def);
  const dir = options.domainDir;
  const ordered = (names: string[]) => def.devices.filter((d) => d.kind === 'other' && names.includes(d.element.name))
    .map((d) => (d as { element: XmlElement }).element);
  const pciOf = (el: XmlElement) => pciProps(elementAddress(el), q35);
  const args: string[] = [];
  // Controllers first: disks and inputs name their buses.
  // PCI buses before the devices on them, a bus before the buses behind it; an EHCI master before its companions.
  const controllers = ordered(['controller']);
  const rank = (el: XmlElement) => (el.attrs.type === 'pci' ? Number(el.attrs.index ?? 0) : childElement(el, 'master') ? 1e6 + 1 : 1e6);
  for (const el of [...controllers].sort((a, b) => rank(a) - rank(b))) args.push(...controllerArgs(el, q35));
  const scsiModel = (index: number) => controllers.find((c) => c.attrs.type === 'scsi' && Number(c.attrs.index ?? 0) === index)?.attrs.model ?? 'lsilogic';
  const floppies = def.devices.filter((d) => d.kind === 'disk' && d.device === 'floppy');
  if (floppies.length && q35) args.push('-device', 'isa-fdc');
  let diskNode = 0;
  let nicIndex = 0;
  for (const dev of def.devices) {
    if (dev.kind === 'disk') args.push(...diskArgs(dev, `libvirt-${++diskNode}`, { q35, scsiModel }));
    else if (dev.kind === 'interface') args.push(...interfaceArgs(dev, nicIndex++, q35));
  }
  for (const [i, el] of ordered(['filesystem']).entries()) args.push(...filesystemArgs(el, i, pciOf(el)));
  const serials = ordered(['serial']);
  for (const [i, el] of serials.entries()) args.push(...chardevArgs(el, `charserial${i}`, { socketDir: dir }), ...serialDevice(el, i, q35));
  for (const [i, el] of ordered(['parallel']).entries()) {
    args.push(...chardevArgs(el, `charparallel${i}`, { socketDir: dir }), '-device', qemuOpts('isa-parallel', { chardev: `charparallel${i}`, id: `parallel${i}` }));
  }
  args.push(...consoleArgs(ordered(['console']), serials.length > 0, dir));
  for (const [i, el] of ordered(['channel']).entries()) args.push(...channelArgs(el, i, dir));
  for (const [i, el] of ordered(['input']).entries()) args.push(...inputArgs(el, i, q35));
  const audios = ordered(['audio']);
  for (const el of audios) args.push(...audiodevArgs(el));
  const defaultAudio = audios[0] ? `audio${audios[0].attrs.id ?? '1'}` : undefined;
  const graphics = ordered(['graphics']);
  for (const el of graphics) args.push(...graphicsArgs(el, { socketDir: dir }, defaultAudio));
  if (!graphics.length) args.push('-display', 'none');
  // the primary card is QEMU's first
  const videos = ordered(['video']);
  const primary = videos.findIndex((v) => childElement(v, 'model')?.attrs.primary === 'yes');
  if (primary > 0) videos.unshift(...videos.splice(primary, 1));
  for (const [i, el] of videos.entries()) args.push(...videoArgs(el, i, pciOf(el)));
  for (const [i, el] of ordered(['sound']).entries()) args.push(...soundArgs(el, i, pciOf(el), defaultAudio));
  for (const [i, el] of ordered(['hostdev']).entries()) {
    args.push(...hostdevArgs(el, i, pciOf(el), elementAddress(el)?.type === 'usb' ? elementAddress(el)?.port : undefined));
  }
  for (const [i, el] of ordered(['smartcard']).entries()) args.push(...smartcardArgs(el, i, dir));
  for (const [i, el] of ordered(['redirdev']).entries()) {
    if ((el.attrs.bus ?? 'usb') !== 'usb') throw unsupported(`redirdev bus '${el.attrs.bus}'`);
    args.push(...chardevArgs(el, `charredir${i}`, { socketDir: dir }), '-device', qemuOpts('usb-redir', { chardev: `charredir${i}`, id: `redir${i}`, ...usbPort(el) }));
  }
  args.push(...watchdogArgs(ordered(['watchdog']), pciOf));
  for (const el of ordered(['memballoon'])) {
    const model = el.attrs.model ?? 'virtio';
    if (model === 'none') continue;
    if (!model.startsWith('virtio')) throw unsupported(`memballoon model '${model}'`);
    args.push('-device', qemuOpts('virtio-balloon-pci', {
      ...virtioOptions(el), id: 'balloon0', 'free-page-reporting': el.attrs.freePageReporting === undefined ? undefined : el.attrs.freePageReporting === 'on',
      ...pciOf(el),
    }));
  }
  for (const [i, el] of ordered(['rng']).entries()) args.push(...rngArgs(el, i, pciOf(el), { socketDir: dir }));
  for (const [i, el] of ordered(['tpm']).entries()) args.push(...tpmArgs(el, i, { socketDir: dir }));
  for (const el of ordered(['panic'])) args.push(...panicArgs(el));
  for (const el of ordered(['iommu'])) args.push(...iommuArgs(el, pciOf(el)));
  for (const el of ordered(['vsock'])) args.push(...vsockArgs(el, pciOf(el)));
  const handled = new Set([
    'controller', 'serial', 'parallel', 'console', 'channel', 'graphics', 'video', 'input', 'memballoon', 'emulator', 'audio', 'sound',
    'filesystem', 'hostdev', 'smartcard', 'redirdev', 'watchdog', 'rng', 'tpm', 'panic', 'iommu', 'vsock', 'memory',
  ]);
  for (const dev of def.devices) {
    if (dev.kind === 'other' && !handled.has(dev.element.name)) throw unsupported(`device <${dev.element.name}>`);
  }
  return args;
}

const elementAddress = (el: XmlElement) => childElement(el, 'address')?.attrs;

/** The emulator a definition names, if any. */
export function emulatorOf(def: DomainDef): string | undefined {
  for (const dev of def.devices) if (dev.kind === 'other' && dev.element.name === 'emulator') return textOf(dev.element).trim();
  return undefined;
}
