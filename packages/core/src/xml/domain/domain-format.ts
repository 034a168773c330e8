import { element, escapeXml, formatAttrs, formatElement, type XmlElement } from '../xml-element.js';
import { formatLaidOut } from './canonical-format.js';
import type { DeviceDef, DiskDef, DomainDef, InterfaceDef } from './domain-def.js';
import { layoutOf } from './domain-layout.js';
import { secretsOf } from './domain-secrets.js';

export interface DomainFormatOptions {
  /** the running domain's id; omitted (and live-only details dropped) when inactive */
  id?: number;
  inactive?: boolean;
  /**
   * Whether to write secrets (graphics passwords, network-disk cookies): only for a caller
   * that passed VIR_DOMAIN_XML_SECURE, and for what a driver keeps for itself (configs,
   * live state, save images). Required, so that every caller decides.
   */
  secure: boolean;
}

type Attrs = Record<string, string | undefined>;

/** Attributes as an element's: unset ones stay, and the formatter skips them (no copy per call). */
const attrsOf = (attrs: Attrs): Record<string, string> => attrs as Record<string, string>;

/**
 * `base` with `over` laid on it (over's values win, new keys last): `base` itself when
 * `over` changes nothing, as for nearly every parsed element (dumpxml runs this per call).
 */
function overlaid(base: Record<string, string> | undefined, over: Attrs): Record<string, string> {
  if (base === undefined) return attrsOf(over);
  let same = true;
  for (const k in over) {
    if (base[k] !== over[k] && !(over[k] === undefined && !(k in base))) {
      same = false;
      break;
    }
  }
  if (same) return base;
  const out: Attrs = {};
  for (const k in base) out[k] = base[k];
  for (const k in over) out[k] = over[k];
  return attrsOf(out);
}

/**
 * A typed child as an element: its attributes from the model, its own children from the
 * element it was parsed from. `some`: the model types only some of its attributes, the
 * others come from the parsed element (else the model's are all there is).
 */
function typedChild(parsed: XmlElement | undefined, name: string, attrs: Attrs | undefined, some = false): XmlElement | undefined {
  if (attrs === undefined) return undefined;
  const from = parsed?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === name);
  return element(name, some ? overlaid(from?.attrs, attrs) : attrsOf(attrs), from?.children ?? []);
}

/** User aliases (ua-...) are part of the definition; others exist only while the domain runs. */
const keepAlias = (alias: string | undefined, live: boolean) => alias !== undefined && (live || alias.startsWith('ua-'));

function diskElement(d: DiskDef, live: boolean): XmlElement {
  const p = d.element;
  const children: (XmlElement | undefined)[] = [
    typedChild(p, 'driver', d.driver),
    typedChild(p, 'source', d.source),
    typedChild(p, 'target', d.target),
    d.readonly ? element('readonly') : undefined,
    d.shareable ? element('shareable') : undefined,
    d.serial !== undefined ? element('serial', {}, [d.serial]) : undefined,
    keepAlias(d.alias, live) ? element('alias', { name: d.alias! }) : undefined,
    typedChild(p, 'address', d.address),
    ...d.extra,
  ];
  return element('disk', overlaid(p?.attrs, { type: d.type, device: d.device, rawio: d.rawio }), children.filter((c): c is XmlElement => !!c));
}

function interfaceElement(n: InterfaceDef, live: boolean): XmlElement {
  const p = n.element;
  const children: (XmlElement | undefined)[] = [
    n.mac !== undefined ? typedChild(p, 'mac', { address: n.mac }, true) : undefined,
    typedChild(p, 'source', n.source),
    n.targetDev !== undefined ? typedChild(p, 'target', { dev: n.targetDev }, true) : undefined,
    n.model !== undefined ? typedChild(p, 'model', { type: n.model }, true) : undefined,
    keepAlias(n.alias, live) ? element('alias', { name: n.alias! }) : undefined,
    typedChild(p, 'address', n.address),
    ...n.extra,
  ];
  return element('interface', overlaid(p?.attrs, { type: n.type }), children.filter((c): c is XmlElement => !!c));
}

function deviceElement(d: DeviceDef, live: boolean): XmlElement {
  if (d.kind === 'disk') return diskElement(d, live);
  if (d.kind === 'interface') return interfaceElement(d, live);
  if (live || !d.element.children.some((c) => typeof c !== 'string' && c.name === 'alias' && !keepAlias(c.attrs.name, false))) return d.element;
  return { ...d.element, children: d.element.children.filter((c) => typeof c === 'string' || c.name !== 'alias' || keepAlias(c.attrs.name, false)) };
}

/** One device as libvirt writes it inside <devices>; without its secrets unless `secure`. */
export function formatDevice(d: DeviceDef, indent: string, live = true, secure = true): string {
  const el = deviceElement(d, live);
  return formatLaidOut(el, devicesLayout().sub.get(el.name), indent, secure ? undefined : secretsOf(el.name));
}

// looked up when first formatting: the layouts are built on first use
const devicesLayout = () => layoutOf('devices')!;
const topLayout = () => layoutOf('')!;
const deviceRank = (d: DeviceDef) => {
  const ranks = devicesLayout().children;
  return ranks.get(d.kind === 'other' ? d.element.name : d.kind) ?? ranks.size;
};

/** The devices in libvirt's order: grouped by kind, in definition order within a kind. */
export function sortedDevices(devices: DeviceDef[]): DeviceDef[] {
  return devices.map((d, i) => ({ d, i, r: deviceRank(d) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.d);
}

/** The same order, without a copy when the devices are in it already (dumpxml runs this per call). */
function inDeviceOrder(devices: DeviceDef[]): readonly DeviceDef[] {
  let last = -1;
  for (const d of devices) {
    const r = deviceRank(d);
    if (r < last) return sortedDevices(devices);
    last = r;
  }
  return devices;
}

const textEl = (indent: string, name: string, text: string, attrs: Attrs = {}) =>
  `${indent}<${name}${formatAttrs(attrs)}>${escapeXml(text)}</${name}>\n`;

function osElement(def: DomainDef): XmlElement {
  const os = def.os;
  const children: XmlElement[] = [element('type', overlaid(os.typeAttrs, { arch: os.arch, machine: os.machine }), [os.type])];
  if (os.kernel !== undefined) children.push(element('kernel', {}, [os.kernel]));
  if (os.initrd !== undefined) children.push(element('initrd', {}, [os.initrd]));
  if (os.cmdline !== undefined) children.push(element('cmdline', {}, [os.cmdline]));
  for (const b of os.boot) children.push(element('boot', { dev: b }));
  children.push(...os.extra);
  return element('os', os.attrs ?? {}, children);
}

/** A domain definition as libvirt formats it: element order, defaults filled in, two-space indent. */
export function formatDomainXml(def: DomainDef, opts: DomainFormatOptions): string {
  const top = topLayout();
  const topRank = top.children;
  const live = !opts.inactive && opts.id !== undefined;
  // each top-level element's text in its slot of libvirt's order; unknown ones last
  const slots: (string | undefined)[] = new Array(topRank.size + 1);
  const add = (name: string, text: string) => {
    const rank = topRank.get(name) ?? topRank.size;
    slots[rank] = slots[rank] === undefined ? text : slots[rank] + text;
  };
  add('name', textEl('  ', 'name', def.name));
  add('uuid', textEl('  ', 'uuid', def.uuid));
  if (def.title !== undefined) add('title', textEl('  ', 'title', def.title));
  if (def.description !== undefined) add('description', textEl('  ', 'description', def.description));
  // custom metadata is written as libxml2 writes it
  if (def.metadata) add('metadata', formatElement(def.metadata, '  ', '"'));
  add('memory', textEl('  ', 'memory', String(def.memory), { unit: 'KiB' }));
  add('currentMemory', textEl('  ', 'currentMemory', String(def.currentMemory), { unit: 'KiB' }));
  add('vcpu', textEl('  ', 'vcpu', String(def.vcpu.max), { placement: def.vcpu.placement, cpuset: def.vcpu.cpuset, current: def.vcpu.current?.toString() }));
  add('os', formatLaidOut(osElement(def), top.sub.get('os'), '  '));
  add('clock', formatLaidOut(element('clock', overlaid(def.clock?.attrs, { offset: def.clockOffset }), def.clock?.children ?? []), top.sub.get('clock'), '  '));
  add('on_poweroff', textEl('  ', 'on_poweroff', def.onPoweroff));
  add('on_reboot', textEl('  ', 'on_reboot', def.onReboot));
  add('on_crash', textEl('  ', 'on_crash', def.onCrash));
  let devices = '  <devices>\n';
  for (const d of inDeviceOrder(def.devices)) devices += formatDevice(d, '    ', live, opts.secure);
  add('devices', `${devices}  </devices>\n`);
  for (const e of def.extra) add(e.name, formatLaidOut(e, top.sub.get(e.name), '  '));
  let s = `<domain${formatAttrs({ type: def.type, id: live ? opts.id : undefined, ...def.namespaces })}>\n`;
  for (const text of slots) if (text !== undefined) s += text;
  return `${s}</domain>\n`;
}
