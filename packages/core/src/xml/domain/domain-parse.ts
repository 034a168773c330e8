import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { normalizeUuid, newUuid } from '../../util/uuid.js';
import { parseXmlDocument } from '../xml-document.js';
import { expectRoot } from '../xml-fields.js';
import { childElement, childElements, childText, textOf, type XmlElement } from '../xml-element.js';
import type { DeviceDef, DiskDef, DomainDef, InterfaceDef, OsDef } from './domain-def.js';
import { orderDisks } from './disk-order.js';
import { memoryKiB } from './memory-units.js';
import { checkDomainName } from './domain-name.js';
import { unsupportedConfig, xmlError } from './conf-errors.js';

/** Domain types libvirt knows (virDomainVirtType). */
export const DOMAIN_TYPES = new Set(['none', 'qemu', 'kqemu', 'kvm', 'xen', 'lxc', 'uml', 'openvz', 'test', 'vmware', 'hyperv', 'vbox', 'phyp', 'parallels', 'bhyve', 'vz', 'hvf', 'ch']);

/** Top-level elements the model interprets; everything else is kept in `extra`. */
const TYPED = new Set(['name', 'uuid', 'title', 'description', 'metadata', 'memory', 'currentMemory', 'vcpu', 'os', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'devices']);
const LIFECYCLE_ACTIONS = new Set(['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart']);


function memoryOf(el: XmlElement | undefined, what: string): number | undefined {
  if (!el) return undefined;
  const text = textOf(el).trim();
  if (!/^\d+$/.test(text)) throw xmlError(`Invalid value '${text}' for element or attribute './${what}[1]'`);
  return memoryKiB(text, el.attrs.unit);
}

/** An unsigned int as libvirt reads one (32 bits), or undefined when it is not one. */
function uint32(text: string): number | undefined {
  return /^\d+$/.test(text) && Number(text) <= 0xffffffff ? Number(text) : undefined;
}

function parseOs(el: XmlElement | undefined): OsDef {
  const typeEl = el && childElement(el, 'type');
  if (!el || !typeEl) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, 'an os <type> must be specified');
  const { arch, machine, ...typeAttrs } = typeEl.attrs;
  const os: OsDef = {
    type: textOf(typeEl).trim(),
    arch,
    machine,
    boot: childElements(el, 'boot').map((b) => b.attrs.dev).filter((d): d is string => !!d),
    kernel: childText(el, 'kernel'),
    initrd: childText(el, 'initrd'),
    extra: childElements(el).filter((c) => !['type', 'boot', 'kernel', 'initrd', 'cmdline'].includes(c.name)),
  };
  if (Object.keys(el.attrs).length) os.attrs = { ...el.attrs };
  if (Object.keys(typeAttrs).length) os.typeAttrs = typeAttrs;
  const cmdline = childElement(el, 'cmdline');
  if (cmdline) os.cmdline = textOf(cmdline);
  return os;
}

const serialOf = (el: XmlElement) => {
  const s = childElement(el, 'serial');
  return s ? textOf(s) : undefined;
};

const attrsOf = (el: XmlElement | undefined) => (el ? { ...el.attrs } : undefined);

function parseDisk(el: XmlElement): DiskDef {
  const target = childElement(el, 'target');
  if (!target?.attrs.dev) throw VirError.of(ErrorNumber.NO_TARGET, ErrorDomain.DOMAIN, el.attrs.type === 'file' ? childElement(el, 'source')?.attrs.file : undefined);
  return {
    kind: 'disk',
    type: el.attrs.type ?? 'file',
    device: el.attrs.device ?? 'disk',
    rawio: el.attrs.rawio,
    driver: attrsOf(childElement(el, 'driver')),
    source: attrsOf(childElement(el, 'source')),
    target: { ...target.attrs, dev: target.attrs.dev },
    readonly: !!childElement(el, 'readonly'),
    shareable: !!childElement(el, 'shareable'),
    // libvirt keeps a serial number's spaces
    serial: serialOf(el),
    address: attrsOf(childElement(el, 'address')),
    alias: childElement(el, 'alias')?.attrs.name,
    extra: childElements(el).filter((c) => !['driver', 'source', 'target', 'readonly', 'shareable', 'serial', 'address', 'alias'].includes(c.name)),
    element: el,
  };
}

function parseInterface(el: XmlElement): InterfaceDef {
  const mac = childElement(el, 'mac')?.attrs.address;
  if (mac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) {
    throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, `unable to parse mac address '${mac}'`);
  }
  return {
    kind: 'interface',
    type: el.attrs.type ?? 'user',
    mac: mac?.toLowerCase(),
    source: attrsOf(childElement(el, 'source')),
    targetDev: childElement(el, 'target')?.attrs.dev,
    model: childElement(el, 'model')?.attrs.type,
    address: attrsOf(childElement(el, 'address')),
    alias: childElement(el, 'alias')?.attrs.name,
    extra: childElements(el).filter((c) => !['mac', 'source', 'target', 'model', 'address', 'alias'].includes(c.name)),
    element: el,
  };
}

/** One device element as its model. */
export function parseDevice(el: XmlElement): DeviceDef {
  if (el.name === 'disk') return parseDisk(el);
  if (el.name === 'interface') return parseInterface(el);
  return { kind: 'other', element: el };
}

/** A domain definition from its parsed XML tree, checked as libvirt checks it. */
export function domainDefFromTree(root: XmlElement): DomainDef {
  if (root.name !== 'domain') throw xmlError(`unexpected root element <${root.name}>, expecting <domain>`);
  const type = root.attrs.type;
  if (type === undefined) throw xmlError("missing domain type attribute");
  if (!DOMAIN_TYPES.has(type)) throw unsupportedConfig(`invalid domain type ${type}`);
  const name = childText(root, 'name');
  checkDomainName(name);
  const uuidText = childText(root, 'uuid');
  let uuid: string;
  if (uuidText === undefined) uuid = newUuid();
  else {
    const u = normalizeUuid(uuidText);
    if (!u) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.DOMAIN, 'malformed uuid element');
    uuid = u;
  }
  const memory = memoryOf(childElement(root, 'memory'), 'memory');
  if (memory === undefined) throw xmlError("missing element or attribute './memory[1]'");
  if (memory === 0) throw xmlError('Memory size must be specified via <memory> or in the <numa> configuration');
  const currentMemory = memoryOf(childElement(root, 'currentMemory'), 'currentMemory') ?? memory;
  const vcpuEl = childElement(root, 'vcpu');
  const max = uint32(vcpuEl ? textOf(vcpuEl).trim() : '1');
  if (max === undefined || max < 1) throw xmlError('maximum vcpus count must be an integer');
  let current: number | undefined;
  if (vcpuEl?.attrs.current !== undefined) {
    current = uint32(vcpuEl.attrs.current);
    if (current === undefined) throw xmlError('current vcpus count must be an integer');
    if (current > max) throw unsupportedConfig('maximum vCPU count must not be less than current vCPU count');
  }
  const lifecycle = (el: string, def: string) => {
    const v = childText(root, el) ?? def;
    if (!LIFECYCLE_ACTIONS.has(v)) throw xmlError(`invalid ${el} value: '${v}'`);
    return v;
  };
  const devicesEl = childElement(root, 'devices');
  const clock = childElement(root, 'clock');
  const def: DomainDef = {
    type,
    name,
    uuid,
    memory,
    currentMemory: Math.min(currentMemory, memory),
    vcpu: {
      placement: vcpuEl?.attrs.placement ?? 'static',
      max,
      current: current !== undefined && current > 0 && current < max ? current : undefined,
      cpuset: vcpuEl?.attrs.cpuset,
    },
    os: parseOs(childElement(root, 'os')),
    clockOffset: clock?.attrs.offset ?? 'utc',
    clock,
    onPoweroff: lifecycle('on_poweroff', 'destroy'),
    onReboot: lifecycle('on_reboot', 'restart'),
    onCrash: lifecycle('on_crash', 'destroy'),
    devices: devicesEl ? orderDisks(childElements(devicesEl).map(parseDevice)) : [],
    extra: childElements(root).filter((c) => !TYPED.has(c.name)),
  };
  const title = childText(root, 'title');
  if (title !== undefined) {
    if (title.includes('\n')) throw xmlError('Domain title can\'t contain newlines');
    def.title = title;
  }
  const description = childElement(root, 'description');
  if (description) def.description = textOf(description);
  const namespaces = Object.entries(root.attrs).filter(([k]) => k.startsWith('xmlns:'));
  if (namespaces.length) def.namespaces = Object.fromEntries(namespaces);
  const metadata = childElement(root, 'metadata');
  if (metadata) def.metadata = metadata;
  // a guest boots from its first disk unless it says otherwise, per device (<boot order>) included
  const perDeviceBoot = def.devices.some((d) => (d.kind === 'other' ? childElements(d.element, 'boot') : d.extra.filter((e) => e.name === 'boot')).length > 0);
  if (!def.os.boot.length && !perDeviceBoot && def.os.type === 'hvm') def.os.boot = ['hd'];
  return def;
}

/** Parse a domain's XML text as libvirt's virDomainDefParseString does. */
export function parseDomainXml(xml: string | Uint8Array): DomainDef {
  const root = parseXmlDocument(xml, '(domain_definition)', ErrorDomain.DOMAIN);
  expectRoot(root, 'domain');
  return domainDefFromTree(root);
}
