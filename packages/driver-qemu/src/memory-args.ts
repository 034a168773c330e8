// Guest memory: -m (with hot-plug slots), the RAM backends of the machine and of each NUMA
// cell as <memoryBacking> and <numatune> shape them, and <memory> devices (DIMMs, NVDIMMs,
// virtio-pmem, virtio-mem).

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { childElement, childElements, childText, textOf, toKiB, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import { unsupported } from './native-errors.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';

export interface MemoryContext {
  /** Host NUMA nodes a nodeset may name. */
  hostNumaNodes: number[];
  /** Folder for file-backed guest RAM (<source type='file'/>). */
  memoryDir?: string;
  /** bus= and addr= of a device at a PCI address. */
  pci: (address: Record<string, string | undefined>) => Record<string, QemuOptValue>;
}

/** What the memory setup adds to -machine. */
export interface MemoryArgs {
  machine: Record<string, QemuOptValue>;
  args: string[];
}

/** The small pages of x86, the only ones usable without a hugetlbfs mount. */
const SYSTEM_PAGE_KIB = 4;
/** QEMU and libvirt place memory devices on 2 MiB boundaries on x86. */
const DEVICE_ALIGN_KIB = 2048;
const NUMA_POLICIES: Record<string, string | undefined> = { strict: 'bind', preferred: 'preferred', interleave: 'interleave', restrictive: undefined };

const sizeKiB = (el: XmlElement | undefined, what: string): number => {
  const kib = el ? toKiB(Number(textOf(el).trim()), el.attrs.unit) : null;
  if (kib === null || !Number.isFinite(kib)) throw unsupported(`${what} size`);
  return kib;
};
const alignUp = (kib: number, align: number) => Math.ceil(kib / align) * align;

/** "0-2,^1,5" → [0, 2, 5], refusing nodes the host has not. */
function nodeset(text: string, ctx: MemoryContext): number[] {
  const nodes = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw unsupported(`nodeset '${text}'`);
    for (let n = Number(m[2]); n <= Number(m[3] ?? m[2]); n++) (m[1] ? nodes.delete(n) : nodes.add(n));
  }
  for (const n of nodes) if (!ctx.hostNumaNodes.includes(n)) throw unsupported(`NUMA node ${n} is unavailable`);
  return [...nodes].sort((a, b) => a - b);
}

interface Backing {
  source: string;
  shared?: boolean;
  locked: boolean;
  discard: boolean;
  prealloc: boolean;
}

function backingOf(def: DomainDef): Backing {
  const mb = def.extra.find((e) => e.name === 'memoryBacking');
  const hugepages = mb && childElement(mb, 'hugepages');
  if (hugepages) {
    const pages = childElements(hugepages, 'page');
    const small = pages.length > 0 && pages.every((p) => toKiB(Number(p.attrs.size), p.attrs.unit) === SYSTEM_PAGE_KIB);
    if (!small) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU, 'hugetlbfs filesystem is not mounted or disabled by administrator config');
  }
  const access = mb && childElement(mb, 'access')?.attrs.mode;
  return {
    source: (mb && childElement(mb, 'source')?.attrs.type) ?? 'anonymous',
    shared: access === undefined ? undefined : access === 'shared',
    locked: !!(mb && childElement(mb, 'locked')),
    discard: !!(mb && childElement(mb, 'discard')),
    prealloc: (mb && childElement(mb, 'allocation')?.attrs.mode) === 'immediate',
  };
}

/** The memory backend object of a region of guest RAM. */
function backend(
  id: string, kib: number, backing: Backing, ctx: MemoryContext,
  extra: { shared?: boolean; discard?: boolean; nodes?: number[]; policy?: string; virtioMem?: boolean },
): string[] {
  const shared = extra.shared ?? backing.shared;
  const discard = extra.discard ?? backing.discard;
  let type = 'memory-backend-ram';
  const props: Record<string, QemuOptValue> = { id };
  if (backing.source === 'memfd') {
    type = 'memory-backend-memfd';
  } else if (backing.source === 'file') {
    if (!ctx.memoryDir) throw unsupported('file-backed memory without a memory folder');
    type = 'memory-backend-file';
    props['mem-path'] = `${ctx.memoryDir}/${id}`;
    if (discard) props['discard-data'] = true;
  } else if (shared) {
    throw unsupported('shared memory access requires <source type=\'file\'/> or <source type=\'memfd\'/> in <memoryBacking>');
  }
  if (shared !== undefined) props.share = shared;
  if (backing.prealloc) props.prealloc = true;
  props.size = kib * 1024;
  if (extra.virtioMem) props.reserve = false;
  // restrictive mode (no policy) is left to cgroups, as libvirt does
  if (!extra.nodes?.length || !extra.policy) return ['-object', qemuOpts(type, props)];
  // a list of host nodes has no QemuOpts spelling: the object as JSON
  const json = { 'qom-type': type, ...props, 'host-nodes': extra.nodes, policy: extra.policy };
  return ['-object', JSON.stringify(json)];
}

interface NumaTune {
  memory?: { nodes: number[]; policy?: string };
  cells: Map<string, { nodes: number[]; policy?: string }>;
}

function numaTuneOf(def: DomainDef, ctx: MemoryContext): NumaTune {
  const tune = def.extra.find((e) => e.name === 'numatune');
  const out: NumaTune = { cells: new Map() };
  if (!tune) return out;
  const mem = childElement(tune, 'memory');
  if (mem?.attrs.nodeset) out.memory = { nodes: nodeset(mem.attrs.nodeset, ctx), policy: NUMA_POLICIES[mem.attrs.mode ?? 'strict'] };
  else if (mem?.attrs.placement === 'auto') throw unsupported('automatic NUMA placement');
  for (const node of childElements(tune, 'memnode')) {
    out.cells.set(node.attrs.cellid, { nodes: nodeset(node.attrs.nodeset ?? '', ctx), policy: NUMA_POLICIES[node.attrs.mode ?? 'strict'] });
  }
  return out;
}

/** -m, -overcommit, the RAM backends, -numa nodes and memory devices of a guest. */
export function memoryArgs(def: DomainDef, cpu: XmlElement | undefined, ctx: MemoryContext): MemoryArgs {
  const backing = backingOf(def);
  const tune = numaTuneOf(def, ctx);
  const maxMemory = def.extra.find((e) => e.name === 'maxMemory');
  const machine: Record<string, QemuOptValue> = {};
  const numa = cpu && childElement(cpu, 'numa');
  const cells = numa ? childElements(numa, 'cell') : [];
  const cellKiB = cells.map((cell) => {
    const kib = toKiB(Number(cell.attrs.memory), cell.attrs.unit);
    if (kib === null || !Number.isFinite(kib)) throw unsupported(`NUMA cell memory '${cell.attrs.memory} ${cell.attrs.unit ?? ''}'`);
    return kib;
  });
  // with NUMA cells the guest's initial memory is theirs together, as libvirt counts it
  const initialKiB = cells.length ? cellKiB.reduce((a, b) => a + b, 0) : def.memory;
  const args = ['-m', qemuOpts(undefined, {
    size: `${initialKiB}k`,
    slots: maxMemory?.attrs.slots === undefined ? undefined : Number(maxMemory.attrs.slots),
    maxmem: maxMemory ? `${sizeKiB(maxMemory, 'maxMemory')}k` : undefined,
  })];
  if (backing.locked) args.push('-overcommit', 'mem-lock=on');
  if (def.extra.find((e) => e.name === 'memoryBacking' && childElement(e, 'nosharepages'))) machine['mem-merge'] = false;

  if (!cells.length) {
    if (tune.cells.size) throw unsupported('<memnode> without NUMA cells');
    const needsBackend = backing.source !== 'anonymous' || backing.shared !== undefined || backing.prealloc || tune.memory !== undefined;
    if (needsBackend) {
      machine['memory-backend'] = 'pc.ram';
      args.push(...backend('pc.ram', def.memory, backing, ctx, { nodes: tune.memory?.nodes, policy: tune.memory?.policy }));
    }
  }
  for (const [index, cell] of cells.entries()) {
    const id = cell.attrs.id ?? String(index);
    const kib = cellKiB[index];
    const access = cell.attrs.memAccess;
    const placement = tune.cells.get(id) ?? tune.memory;
    args.push(...backend(`ram-node${id}`, kib, backing, ctx, {
      shared: access === undefined ? undefined : access === 'shared',
      discard: cell.attrs.discard === undefined ? undefined : cell.attrs.discard === 'yes',
      nodes: placement?.nodes, policy: placement?.policy,
    }));
    // "cpus=0-1,3" is written as one cpus= per range.
    const ranges = (cell.attrs.cpus ?? '').split(',').filter(Boolean).map((r) => `cpus=${r}`);
    args.push('-numa', ['node', `nodeid=${id}`, ...ranges, `memdev=ram-node${id}`].join(','));
  }
  for (const cellId of tune.cells.keys()) {
    if (!cells.some((c, i) => (c.attrs.id ?? String(i)) === cellId)) throw unsupported(`<memnode> for NUMA cell ${cellId} that does not exist`);
  }
  const devices = def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === 'memory' ? [d.element] : []));
  if (devices.length && !maxMemory) throw unsupported('memory devices without <maxMemory>');
  const counters = new Map<string, number>();
  for (const el of devices) {
    const model = el.attrs.model;
    const n = counters.get(model) ?? 0;
    counters.set(model, n + 1);
    args.push(...memoryDeviceArgs(el, n, backing, ctx, machine));
  }
  return { machine, args };
}

const MEMORY_DEVICES: Record<string, { driver: string; prefix: string }> = {
  dimm: { driver: 'pc-dimm', prefix: 'dimm' },
  nvdimm: { driver: 'nvdimm', prefix: 'nvdimm' },
  'virtio-pmem': { driver: 'virtio-pmem-pci', prefix: 'virtiopmem' },
  'virtio-mem': { driver: 'virtio-mem-pci', prefix: 'virtiomem' },
};

/** The backend object and -device of one <memory> device, `n`th of its model. */
function memoryDeviceArgs(el: XmlElement, n: number, backing: Backing, ctx: MemoryContext, machine: Record<string, QemuOptValue>): string[] {
  const kind = MEMORY_DEVICES[el.attrs.model];
  if (!kind) throw unsupported(`memory device model '${el.attrs.model}'`);
  const id = `${kind.prefix}${n}`;
  const memdev = `mem${id}`;
  const target = childElement(el, 'target');
  const source = childElement(el, 'source');
  const kib = alignUp(sizeKiB(target && childElement(target, 'size'), 'memory device'), DEVICE_ALIGN_KIB);
  const node = target && childText(target, 'node');
  const access = el.attrs.access;
  const shared = access === undefined ? undefined : access === 'shared';
  const address = childElement(el, 'address')?.attrs ?? {};
  const path = source && childText(source, 'path');
  const device: Record<string, QemuOptValue> = { node: node === undefined ? undefined : Number(node) };
  let object: string;
  if (el.attrs.model === 'nvdimm' || el.attrs.model === 'virtio-pmem') {
    if (!path) throw unsupported(`${el.attrs.model} without a source path`);
    const pmem = !!(source && childElement(source, 'pmem'));
    const align = source && childElement(source, 'alignsize');
    object = qemuOpts('memory-backend-file', {
      id: memdev, 'mem-path': path, share: shared,
      prealloc: el.attrs.model === 'nvdimm' && !pmem ? true : undefined, size: kib * 1024,
      align: align ? sizeKiB(align, 'alignsize') * 1024 : undefined, pmem: pmem || undefined,
    });
    if (el.attrs.model === 'nvdimm') {
      machine.nvdimm = true;
      const label = target && childElement(target, 'label');
      if (label) device['label-size'] = sizeKiB(childElement(label, 'size'), 'label') * 1024;
      if (target && childElement(target, 'readonly')) device.unarmed = true;
    }
  } else {
    const nodemask = source && childText(source, 'nodemask');
    const nodes = nodemask === undefined ? undefined : nodeset(nodemask, ctx);
    const pagesize = source && childElement(source, 'pagesize');
    if (pagesize && sizeKiB(pagesize, 'pagesize') !== SYSTEM_PAGE_KIB) {
      throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU, 'hugetlbfs filesystem is not mounted or disabled by administrator config');
    }
    const virtioMem = el.attrs.model === 'virtio-mem';
    object = backend(memdev, kib, backing, ctx, { shared, nodes, policy: nodes ? 'bind' : undefined, virtioMem })[1];
    if (virtioMem) {
      const block = target && childElement(target, 'block');
      const requested = target && childElement(target, 'requested');
      if (block) device['block-size'] = sizeKiB(block, 'block') * 1024;
      if (requested) device['requested-size'] = sizeKiB(requested, 'requested') * 1024;
    }
  }
  Object.assign(device, { memdev, id });
  if (address.type === 'pci') Object.assign(device, ctx.pci(address));
  if (address.type === 'dimm') {
    device.slot = address.slot === undefined ? undefined : Number(address.slot);
    device.addr = address.base === undefined ? undefined : Number(address.base);
  }
  return ['-object', object, '-device', qemuOpts(kind.driver, device)];
}
