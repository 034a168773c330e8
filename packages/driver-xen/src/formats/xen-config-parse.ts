// What xl.cfg and xm configs share, read into domain XML elements as libvirt's Xen driver
// reads it: name and uuid, memory, vCPUs, lifecycle actions, hypervisor features and
// timers, the clock, the emulator, network interfaces, PCI devices, sound, the VNC/SDL
// display and the serial and parallel ports. xl- and xm-only settings are read by their
// own modules; the tree is then a domain definition like any other (domain-from-config.ts).

import { ErrorNumber } from '@tsvirt/core';
import { element, formatIdList, parseIdList, type XmlElement } from '@tsvirt/core/xml';
import type { ConfigReader } from './config-settings.js';
import { parseVif } from './vif-spec.js';

export type XenOsType = 'hvm' | 'linux' | 'xenpvh';

/** The domain being read: top-level elements and devices, in the order libvirt creates them. */
export interface DomainParts {
  osType: XenOsType;
  top: XmlElement[];
  os: XmlElement[];
  features: XmlElement[];
  /** <clock> children */
  timers: XmlElement[];
  cpu?: XmlElement;
  devices: XmlElement[];
}

const LIFECYCLE = new Set(['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart']);
const MIN_MEMORY_MIB = 16;

const text = (name: string, value: string, attrs: Record<string, string> = {}) => element(name, attrs, [value]);

export const isHvm = (p: DomainParts) => p.osType === 'hvm';

function osType(r: ConfigReader): XenOsType {
  const type = r.string('type');
  if (type !== undefined) {
    if (type === 'pv') return 'linux';
    if (type === 'pvh') return 'xenpvh';
    if (type === 'hvm') return 'hvm';
    throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `type ${type} is not supported (expected pv, pvh or hvm)`);
  }
  return r.string('builder', 'linux') === 'hvm' ? 'hvm' : 'linux';
}

function general(r: ConfigReader, p: DomainParts): void {
  const name = r.string('name');
  if (name === undefined) throw r.error(ErrorNumber.CONF_SYNTAX, 'config value name was missing: a domain name must be specified');
  p.top.push(text('name', name));
  const uuid = r.string('uuid');
  if (uuid !== undefined) {
    if (uuid === '') throw r.error(ErrorNumber.CONF_SYNTAX, 'uuid can\'t be empty');
    if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid)) throw r.error(ErrorNumber.CONF_SYNTAX, `${uuid} not parseable`);
    p.top.push(text('uuid', uuid));
  }
  const memory = r.number('memory', MIN_MEMORY_MIB * 2);
  const maxmem = r.number('maxmem', memory);
  if (maxmem < memory) throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `memory (${memory} MiB) is more than maxmem (${maxmem} MiB): the balloon target cannot exceed the maximum`);
  p.top.push(text('memory', String(maxmem * 1024), { unit: 'KiB' }), text('currentMemory', String(memory * 1024), { unit: 'KiB' }));
  for (const [key, fallback] of [['on_poweroff', 'destroy'], ['on_reboot', 'restart'], ['on_crash', 'restart']] as const) {
    const action = r.string(key, fallback);
    if (!LIFECYCLE.has(action)) throw r.error(ErrorNumber.CONF_SYNTAX, `unknown ${key} action '${action}' (expected one of ${[...LIFECYCLE].join(', ')})`);
    p.top.push(text(key, action));
  }
}

function vcpus(r: ConfigReader, p: DomainParts): void {
  const current = r.number('vcpus', 1);
  const max = r.has('maxvcpus') ? r.number('maxvcpus', 0) : current;
  if (max < current) throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, `maxvcpus (${max}) is less than vcpus (${current})`);
  const attrs: Record<string, string> = { placement: 'static' };
  const cpus = r.string('cpus');
  if (cpus !== undefined) attrs.cpuset = formatIdList(parseIdList(cpus, 4096));
  if (current < max) attrs.current = String(current);
  p.top.push(text('vcpu', String(max), attrs));
}

const state = (on: boolean) => (on ? 'on' : 'off');

function features(r: ConfigReader, p: DomainParts): void {
  const tsc = r.string('tsc_mode');
  if (tsc !== undefined) {
    const mode = { always_emulate: 'emulate', native: 'native', native_paravirt: 'paravirt' }[tsc] ?? 'auto';
    p.timers.push(element('timer', { name: 'tsc', present: 'yes', mode }));
  }
  const xen: XmlElement[] = [];
  const passthrough = r.string('passthrough');
  if (passthrough !== undefined) {
    const modes: Record<string, Record<string, string>> = {
      disabled: { state: 'off' }, enabled: { state: 'on' }, sync_pt: { state: 'on', mode: 'sync_pt' }, share_pt: { state: 'on', mode: 'share_pt' },
    };
    if (!modes[passthrough]) throw r.error(ErrorNumber.CONF_SYNTAX, `Invalid passthrough mode ${passthrough}`);
    xen.push(element('passthrough', modes[passthrough]));
  }
  if (isHvm(p)) {
    for (const f of ['acpi', 'apic', 'pae']) if (r.bool(f, true)) p.features.push(element(f));
    if (!r.bool('hap', true)) p.features.push(element('hap', { state: 'off' }));
    if (r.bool('viridian', false)) p.features.push(element('viridian'));
    const hpet = r.bool('hpet', undefined);
    if (hpet !== undefined) p.timers.push(element('timer', { name: 'hpet', present: hpet ? 'yes' : 'no' }));
  } else if (r.bool('e820_host', false)) xen.unshift(element('e820_host', { state: state(true) }));
  if (xen.length) p.features.push(element('xen', {}, xen));
}

function clock(r: ConfigReader, p: DomainParts): XmlElement {
  const localtime = r.bool('localtime', false);
  if (isHvm(p)) {
    return element('clock', { offset: 'variable', adjustment: String(r.number('rtc_timeoffset', 0)), basis: localtime ? 'localtime' : 'utc' }, p.timers);
  }
  // a PV guest has no emulated clock: its offset is fixed
  return element('clock', { offset: localtime ? 'localtime' : 'utc', adjustment: 'reset' }, p.timers);
}

function pciDevice(r: ConfigReader, entry: string): XmlElement {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])(?:@[0-9a-fA-F]+)?((?:,[^,=]+=[^,]*)*)$/.exec(entry);
  if (!m) throw r.error(ErrorNumber.CONF_SYNTAX, `Malformed PCI address ${entry} (expected [DDDD:]BB:SS.F[,option=value...])`);
  const hex = (s: string | undefined, width: number) => `0x${parseInt(s ?? '0', 16).toString(16).padStart(width, '0')}`;
  const sourceAttrs: Record<string, string> = {};
  for (const opt of m[5].split(',').slice(1)) {
    const [k, v] = opt.split('=');
    if (k === 'permissive') {
      if (!/^-?[0-9]+$/.test(v)) throw r.error(ErrorNumber.CONF_SYNTAX, `Malformed PCI options ${m[5].slice(1)}: permissive=${v} is not a number`);
      sourceAttrs.writeFiltering = Number(v) ? 'no' : 'yes';
    }
  }
  return element('hostdev', { mode: 'subsystem', type: 'pci', managed: 'no' }, [
    element('driver', { name: 'xen' }),
    element('source', sourceAttrs, [element('address', { domain: hex(m[1], 4), bus: hex(m[2], 2), slot: hex(m[3], 2), function: `0x${m[4]}` })]),
  ]);
}

const SOUND_MODELS = new Set(['sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'usb', 'ich9', 'ich7', 'ich6']);

function sound(r: ConfigReader, p: DomainParts): void {
  const soundhw = isHvm(p) ? r.string('soundhw') : undefined;
  if (soundhw === undefined) return;
  // xm's old "all" meant the two cards Xen's QEMU had
  const models = soundhw === 'all' ? ['sb16', 'es1370'] : soundhw.split(',');
  for (const model of models) {
    if (!SOUND_MODELS.has(model)) throw r.error(ErrorNumber.CONF_SYNTAX, `unknown sound model '${model}' in soundhw`);
    p.devices.push(element('sound', { model }));
  }
}

function vncGraphics(attrs: { autoport: boolean; port?: number; listen?: string; passwd?: string; keymap?: string }): XmlElement {
  const a: Record<string, string> = { type: 'vnc' };
  a.port = attrs.autoport ? '-1' : String(attrs.port ?? 5900);
  a.autoport = attrs.autoport ? 'yes' : 'no';
  if (attrs.listen !== undefined) a.listen = attrs.listen;
  if (attrs.keymap !== undefined) a.keymap = attrs.keymap;
  if (attrs.passwd !== undefined) a.passwd = attrs.passwd;
  return element('graphics', a);
}

function display(r: ConfigReader, p: DomainParts): void {
  if (isHvm(p)) {
    if (r.bool('vnc', false)) {
      const autoport = r.bool('vncunused', true);
      const display = r.number('vncdisplay', 0);
      if (display > 65535 - 5900) throw r.error(ErrorNumber.CONF_SYNTAX, `vncdisplay ${display} is beyond the last TCP port (display 0 is port 5900)`);
      p.devices.push(vncGraphics({
        autoport, port: autoport ? undefined : display + 5900,
        listen: r.string('vnclisten'), passwd: r.string('vncpasswd'), keymap: r.string('keymap'),
      }));
    } else if (r.bool('sdl', false)) {
      p.devices.push(sdlGraphics(r.string('display'), r.string('xauthority')));
    }
    return;
  }
  const vfb = r.strings('vfb')?.[0];
  if (vfb === undefined) return;
  const opts = new Map<string, string>();
  for (const part of vfb.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) opts.set(part.slice(0, eq).trim(), part.slice(eq + 1));
  }
  if (vfb.includes('type=sdl')) {
    p.devices.push(sdlGraphics(opts.get('display'), opts.get('xauthority')));
    return;
  }
  const display = opts.get('vncdisplay');
  if (display !== undefined && !/^[0-9]+$/.test(display)) throw r.error(ErrorNumber.CONF_SYNTAX, `invalid vncdisplay value '${display}' in vfb`);
  const autoport = opts.get('vncunused') === '1';
  p.devices.push(vncGraphics({
    autoport, port: display !== undefined ? Number(display) + 5900 : undefined,
    listen: opts.get('vnclisten'), passwd: opts.get('vncpasswd'), keymap: opts.get('keymap'),
  }));
}

const sdlGraphics = (display: string | undefined, xauth: string | undefined) =>
  element('graphics', Object.fromEntries(Object.entries({ type: 'sdl', display, xauth }).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** A character device as Xen writes one ("pty", "tcp:host:port,server,nowait", "/dev/ttyS0", ...): its type and children. */
export function parseCharDev(r: ConfigReader, value: string): { type: string; children: XmlElement[] } {
  const bad = (why: string) => r.error(ErrorNumber.CONF_SYNTAX, `malformed char device string '${value}': ${why}`);
  if (value.startsWith('/')) return { type: 'dev', children: [element('source', { path: value })] };
  const colon = value.indexOf(':');
  const prefix = colon < 0 ? value : value.slice(0, colon);
  const rest = colon < 0 ? '' : value.slice(colon + 1);
  const type = prefix.startsWith('telnet') ? 'tcp' : prefix;
  switch (type) {
    case 'null': case 'vc': case 'pty': case 'stdio':
      return { type, children: [] };
    case 'file': case 'pipe':
      return { type, children: [element('source', { path: rest })] };
    case 'tcp': {
      const c = rest.indexOf(':');
      if (c < 0) throw bad('expected host:port');
      const comma = rest.indexOf(',', c);
      const service = rest.slice(c + 1, comma < 0 ? undefined : comma);
      const listen = comma >= 0 && rest.slice(comma).includes(',server');
      const source: Record<string, string> = { mode: listen ? 'bind' : 'connect' };
      if (c > 0) source.host = rest.slice(0, c);
      source.service = service;
      return { type, children: [element('source', source), element('protocol', { type: prefix.startsWith('telnet') ? 'telnet' : 'raw' })] };
    }
    case 'udp': {
      const c = rest.indexOf(':');
      if (c < 0) throw bad('expected host:port');
      const at = rest.indexOf('@', c);
      const connect: Record<string, string> = { mode: 'connect' };
      if (c > 0) connect.host = rest.slice(0, c);
      connect.service = rest.slice(c + 1, at < 0 ? undefined : at);
      if (at < 0) return { type, children: [element('source', connect)] };
      const bindPart = rest.slice(at + 1);
      const bc = bindPart.indexOf(':');
      if (bc < 0) throw bad('expected @host:port');
      const bind: Record<string, string> = { mode: 'bind' };
      if (bc > 0) bind.host = bindPart.slice(0, bc);
      bind.service = bindPart.slice(bc + 1);
      return { type, children: [element('source', bind), element('source', connect)] };
    }
    case 'unix': {
      const comma = rest.indexOf(',');
      const path = comma < 0 ? rest : rest.slice(0, comma);
      const listen = comma >= 0 && rest.slice(comma).includes(',server');
      return { type, children: [element('source', { mode: listen ? 'bind' : 'connect', path })] };
    }
    default:
      throw r.error(ErrorNumber.CONF_SYNTAX, `unknown chr device type '${prefix}'`);
  }
}

function charDevice(r: ConfigReader, kind: 'serial' | 'parallel', value: string, port: number): XmlElement {
  const { type, children } = parseCharDev(r, value);
  return element(kind, { type }, [...children, element('target', { port: String(port) })]);
}

function charDevices(r: ConfigReader, p: DomainParts, format: 'xl' | 'xm'): void {
  if (!isHvm(p)) {
    p.devices.push(element('console', { type: 'pty' }, [element('target', { type: 'xen', port: '0' })]));
    return;
  }
  const parallel = r.string('parallel');
  if (parallel !== undefined && parallel !== 'none') p.devices.push(charDevice(r, 'parallel', parallel, 0));
  const serials = r.strings('serial');
  if (serials) {
    if (format === 'xm') throw r.error(ErrorNumber.CONFIG_UNSUPPORTED, 'Multiple serial devices are not supported by xen-xm');
    serials.forEach((s, port) => {
      if (s !== 'none') p.devices.push(charDevice(r, 'serial', s, port));
    });
    return;
  }
  const serial = r.string('serial');
  if (serial !== undefined && serial !== 'none') p.devices.push(charDevice(r, 'serial', serial, 0));
}

/** Read what xl and xm configs share. */
export function parseCommonConfig(r: ConfigReader, format: 'xl' | 'xm'): DomainParts {
  const p: DomainParts = { osType: osType(r), top: [], os: [], features: [], timers: [], devices: [] };
  general(r, p);
  vcpus(r, p);
  features(r, p);
  p.top.push(clock(r, p));
  const emulator = r.string('device_model_override') ?? r.string('device_model');
  if (emulator !== undefined) p.devices.push(text('emulator', emulator));
  for (const [i, vif] of (r.strings('vif') ?? []).entries()) p.devices.push(parseVif(r, vif, format === 'xl' ? 'vif' : 'netfront', i));
  for (const pci of r.stringOrList('pci') ?? []) p.devices.push(pciDevice(r, pci));
  sound(r, p);
  display(r, p);
  charDevices(r, p, format);
  return p;
}
