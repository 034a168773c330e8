// A domain definition → the settings xl.cfg and xm configs share, in the order libvirt
// writes them: name and uuid, memory, vCPUs, hypervisor features and timers, the clock,
// lifecycle actions, the emulator, the display, network interfaces, PCI devices, serial
// and parallel ports, sound. What cannot be said in the format is a
// VIR_ERR_CONFIG_UNSUPPORTED naming it, never silently dropped.

import { ErrorNumber, VirError } from '@tsvirt/core';
import { childElement, childElements, textOf, type DomainDef, type InterfaceDef, type XmlElement } from '@tsvirt/core/xml';
import { ConfigBuilder } from './config-settings.js';

export type XenFormat = 'xl' | 'xm';

/** What a writer of one format needs: the settings so far, the definition, its error domain. */
export interface FormatContext {
  def: DomainDef;
  out: ConfigBuilder;
  format: XenFormat;
  errorDomain: number;
  hvm: boolean;
}

export const unsupported = (c: FormatContext, what: string) => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, c.errorDomain, what);

export const topLevel = (def: DomainDef, name: string): XmlElement | undefined => def.extra.find((e) => e.name === name);
export const devicesNamed = (def: DomainDef, name: string): XmlElement[] =>
  def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === name ? [d.element] : []));
export const interfaces = (def: DomainDef): InterfaceDef[] => def.devices.flatMap((d) => (d.kind === 'interface' ? [d] : []));

const mib = (kib: number) => Math.ceil(kib / 1024);

function memoryAndVcpus(c: FormatContext): void {
  const { def, out } = c;
  out.setNumber('maxmem', mib(def.memory));
  out.setNumber('memory', mib(def.currentMemory));
  const current = def.vcpu.current ?? def.vcpu.max;
  if (current < def.vcpu.max) out.setNumber('maxvcpus', def.vcpu.max);
  out.setNumber('vcpus', current);
  if (def.vcpu.cpuset !== undefined) out.setString('cpus', def.vcpu.cpuset);
}

const TSC_MODES: Record<string, string> = { native: 'native', paravirt: 'native_paravirt', emulate: 'always_emulate' };

function features(c: FormatContext): void {
  const { def, out } = c;
  const f = topLevel(def, 'features');
  const on = (name: string) => {
    const el = f && childElement(f, name);
    return el !== undefined && el.attrs.state !== 'off';
  };
  const xen = f && childElement(f, 'xen');
  if (c.hvm) {
    out.setNumber('pae', on('pae'));
    out.setNumber('acpi', on('acpi'));
    out.setNumber('apic', on('apic'));
    if (f && childElement(f, 'hap')?.attrs.state === 'off') out.setNumber('hap', 0);
    out.setNumber('viridian', on('viridian'));
  } else if (xen && childElement(xen, 'e820_host')?.attrs.state === 'on') out.setNumber('e820_host', 1);
  const passthrough = xen && childElement(xen, 'passthrough');
  if (passthrough?.attrs.state === 'on') out.setString('passthrough', passthrough.attrs.mode ?? 'enabled');
  for (const timer of def.clock ? childElements(def.clock, 'timer') : []) {
    const name = timer.attrs.name;
    if (name === 'tsc') out.setString('tsc_mode', TSC_MODES[timer.attrs.mode ?? ''] ?? 'default');
    else if (name === 'hpet' && c.hvm) out.setNumber('hpet', timer.attrs.present !== 'no');
    else throw unsupported(c, `unsupported timer type (name) '${name}'`);
  }
}

function clock(c: FormatContext): void {
  const { def, out } = c;
  const offset = def.clockOffset;
  const reset = def.clock?.attrs.adjustment === 'reset';
  let localtime: boolean;
  if (c.hvm) {
    let adjustment = 0;
    if (offset === 'variable') {
      localtime = def.clock?.attrs.basis === 'localtime';
      adjustment = Number(def.clock?.attrs.adjustment ?? 0);
    } else if (offset === 'utc' || offset === 'localtime') {
      if (reset) throw unsupported(c, "unsupported clock adjustment='reset'");
      localtime = offset === 'localtime';
    } else throw unsupported(c, `unsupported clock offset='${offset}'`);
    out.setNumber('rtc_timeoffset', adjustment);
  } else {
    if (offset !== 'utc' && offset !== 'localtime') throw unsupported(c, `unsupported clock offset='${offset}'`);
    localtime = offset === 'localtime';
  }
  out.setNumber('localtime', localtime);
}

function listenAddress(g: XmlElement): string | undefined {
  return g.attrs.listen ?? childElements(g, 'listen').find((l) => l.attrs.address !== undefined)?.attrs.address;
}

function display(c: FormatContext): void {
  const { def, out } = c;
  const graphics = devicesNamed(def, 'graphics');
  if (graphics.length !== 1 || graphics[0].attrs.type === 'spice') return;
  const g = graphics[0];
  const autoport = g.attrs.autoport === 'yes' || g.attrs.port === '-1' || g.attrs.port === undefined;
  const vncDisplay = () => Number(g.attrs.port) - 5900;
  if (g.attrs.type !== 'vnc' && g.attrs.type !== 'sdl') throw unsupported(c, `graphics type '${g.attrs.type}'`);
  if (c.hvm) {
    if (g.attrs.type === 'sdl') {
      out.setNumber('sdl', 1);
      out.setNumber('vnc', 0);
      if (g.attrs.display !== undefined) out.setString('display', g.attrs.display);
      if (g.attrs.xauth !== undefined) out.setString('xauthority', g.attrs.xauth);
      return;
    }
    out.setNumber('sdl', 0);
    out.setNumber('vnc', 1);
    out.setNumber('vncunused', autoport);
    if (!autoport) out.setNumber('vncdisplay', vncDisplay());
    const listen = listenAddress(g);
    if (listen !== undefined) out.setString('vnclisten', listen);
    if (g.attrs.passwd !== undefined) out.setString('vncpasswd', g.attrs.passwd);
    if (g.attrs.keymap !== undefined) out.setString('keymap', g.attrs.keymap);
    return;
  }
  const parts: string[] = [];
  if (g.attrs.type === 'sdl') {
    parts.push('type=sdl');
    if (g.attrs.display !== undefined) parts.push(`display=${g.attrs.display}`);
    if (g.attrs.xauth !== undefined) parts.push(`xauthority=${g.attrs.xauth}`);
  } else {
    parts.push('type=vnc', `vncunused=${autoport ? 1 : 0}`);
    if (!autoport) parts.push(`vncdisplay=${vncDisplay()}`);
    const listen = listenAddress(g);
    if (listen !== undefined) parts.push(`vnclisten=${listen}`);
    if (g.attrs.passwd !== undefined) parts.push(`vncpasswd=${g.attrs.passwd}`);
    if (g.attrs.keymap !== undefined) parts.push(`keymap=${g.attrs.keymap}`);
  }
  out.setList('vfb', [parts.join(',')]);
}

/** The vif= entry of an interface. */
function vif(c: FormatContext, n: InterfaceDef): string {
  // what the interface model does not type (script, ip, vlan, bandwidth) is among its other children
  const child = (name: string) => n.extra.find((e) => e.name === name);
  const all = (name: string) => n.extra.filter((e) => e.name === name);
  if (n.mac === undefined) throw unsupported(c, 'an interface without a MAC address');
  let s = `mac=${n.mac}`;
  const script = child('script')?.attrs.path;
  const ips = all('ip').map((ip) => ip.attrs.address).filter((a) => a !== undefined);
  if (n.type === 'bridge') {
    let bridge = n.source?.bridge ?? '';
    let defaultScript = 'vif-bridge';
    if (child('virtualport')?.attrs.type === 'openvswitch') {
      defaultScript = 'vif-openvswitch';
      const vlan = child('vlan');
      const tags = vlan ? childElements(vlan, 'tag').map((t) => t.attrs.id) : [];
      if (tags.length) bridge += vlan!.attrs.trunk === 'yes' ? tags.map((t) => `:${t}`).join('') : `.${tags[0]}`;
    }
    s += `,bridge=${bridge}`;
    if (ips.length) s += `,ip=${ips.join(' ')}`;
    s += `,script=${script ?? defaultScript}`;
  } else if (n.type === 'ethernet') {
    if (script !== undefined) s += `,script=${script}`;
    if (ips.length) s += `,ip=${ips.join(' ')}`;
  } else {
    throw unsupported(c, `Unsupported net type '${n.type}'${n.type === 'network' ? ': a virtual network has no bridge until the host runs it; use type=\'bridge\'' : ''}`);
  }
  if (n.model !== undefined) {
    s += c.hvm && n.model === 'netfront' ? `,type=${c.format === 'xl' ? 'vif' : 'netfront'}` : `,model=${n.model}`;
  }
  if (n.targetDev !== undefined) s += `,vifname=${n.targetDev}`;
  const outbound = child('bandwidth') && childElement(child('bandwidth')!, 'outbound');
  if (outbound?.attrs.average !== undefined && Number(outbound.attrs.average) > 0) s += `,rate=${outbound.attrs.average}KB/s`;
  return s;
}

/** The host devices of a subsystem type (pci, usb) with their source and its address. */
export function hostdevSources(c: FormatContext, type: string): { source: XmlElement; address: XmlElement }[] {
  return devicesNamed(c.def, 'hostdev').filter((h) => h.attrs.mode === 'subsystem' && h.attrs.type === type).map((h) => {
    const source = childElement(h, 'source');
    const address = source && childElement(source, 'address');
    if (!source || !address) throw unsupported(c, `a ${type.toUpperCase()} host device without a source address`);
    return { source, address };
  });
}

function pci(c: FormatContext): void {
  const n = (v: string | undefined) => parseInt(v ?? '0', 16);
  const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
  c.out.setList('pci', hostdevSources(c, 'pci').map(({ source, address: a }) => {
    const permissive = source.attrs.writeFiltering === 'yes' ? ',permissive=0' : source.attrs.writeFiltering === 'no' ? ',permissive=1' : '';
    return `${hex(n(a.attrs.domain), 4)}:${hex(n(a.attrs.bus), 2)}:${hex(n(a.attrs.slot), 2)}.${hex(n(a.attrs.function), 1)}${permissive}`;
  }));
}

/** A character device as Xen writes one ("pty", "tcp:host:port,server,nowait", "/dev/ttyS0"). */
export function formatCharDev(chr: XmlElement, unsupportedError: (what: string) => Error): string {
  const type = chr.attrs.type ?? 'pty';
  const sources = childElements(chr, 'source');
  const src = sources[0]?.attrs ?? {};
  switch (type) {
    case 'null': case 'stdio': case 'vc': case 'pty':
      return type;
    case 'file': case 'pipe':
      return `${type}:${src.path ?? ''}`;
    case 'dev':
      return src.path ?? '';
    case 'tcp': {
      const telnet = childElement(chr, 'protocol')?.attrs.type === 'telnet';
      return `${telnet ? 'telnet' : 'tcp'}:${src.host ?? ''}:${src.service ?? ''}${src.mode === 'bind' ? ',server,nowait' : ''}`;
    }
    case 'udp': {
      const connect = sources.find((s) => s.attrs.mode !== 'bind')?.attrs ?? {};
      const bind = sources.find((s) => s.attrs.mode === 'bind')?.attrs ?? {};
      return `udp:${connect.host ?? ''}:${connect.service ?? ''}@${bind.host ?? ''}:${bind.service ?? ''}`;
    }
    case 'unix':
      return `unix:${src.path ?? ''}${src.mode === 'bind' ? ',server,nowait' : ''}`;
    default:
      throw unsupportedError(`unsupported chr device type '${type}'`);
  }
}

const targetPort = (chr: XmlElement) => Number(childElement(chr, 'target')?.attrs.port ?? 0);

function charDevices(c: FormatContext): void {
  if (!c.hvm) return;
  const fail = (what: string) => unsupported(c, what);
  const { def, out } = c;
  const parallels = devicesNamed(def, 'parallel');
  out.setString('parallel', parallels.length ? formatCharDev(parallels[0], fail) : 'none');
  const serials = devicesNamed(def, 'serial');
  if (!serials.length) {
    out.setString('serial', 'none');
    return;
  }
  if (serials.length === 1 && targetPort(serials[0]) === 0) {
    out.setString('serial', formatCharDev(serials[0], fail));
    return;
  }
  if (c.format === 'xm') throw unsupported(c, 'Multiple serial devices are not supported by xen-xm');
  const maxPort = Math.max(...serials.map(targetPort));
  const list: string[] = [];
  for (let port = 0; port <= maxPort; port++) {
    const s = serials.find((x) => targetPort(x) === port);
    list.push(s ? formatCharDev(s, fail) : 'none');
  }
  out.setList('serial', list);
}

function sound(c: FormatContext): void {
  const models = devicesNamed(c.def, 'sound').map((s) => s.attrs.model);
  if (c.hvm && models.length) c.out.setString('soundhw', models.join(','));
}

/** Write what xl and xm configs share. */
export function formatCommonConfig(c: FormatContext): void {
  const { def, out } = c;
  out.setString('name', def.name);
  out.setString('uuid', def.uuid);
  memoryAndVcpus(c);
  features(c);
  clock(c);
  out.setString('on_poweroff', def.onPoweroff);
  out.setString('on_reboot', def.onReboot);
  out.setString('on_crash', def.onCrash);
  const emulator = devicesNamed(def, 'emulator')[0];
  if (emulator) out.setString('device_model_override', textOf(emulator).trim());
  display(c);
  out.setList('vif', interfaces(def).map((n) => vif(c, n)));
  pci(c);
  charDevices(c);
  sound(c);
}
