// Devices of the guest's platform rather than of its I/O: TPM, watchdog, panic notifier,
// IOMMU, vsock, random number generator, VM generation ID and I/O threads.

import { childElement, childElements, textOf, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import { chardevArgs, type ChardevContext } from './chardev-args.js';
import { unsupported } from './native-errors.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';
import { virtioOptions } from './virtio-options.js';

type Pci = Record<string, QemuOptValue>;

const TPM_MODELS: Record<string, string> = { 'tpm-tis': 'tpm-tis', 'tpm-crb': 'tpm-crb' };

/** -chardev, -tpmdev and -device of a <tpm>: an emulator (swtpm) or an external one, reached over a socket. */
export function tpmArgs(el: XmlElement, index: number, ctx: ChardevContext): string[] {
  const model = el.attrs.model ?? 'tpm-tis';
  if (!TPM_MODELS[model]) throw unsupported(`TPM model '${model}'`);
  const backend = childElement(el, 'backend');
  const type = backend?.attrs.type;
  let path: string | undefined;
  if (type === 'external') {
    const source = backend && childElement(backend, 'source')?.attrs;
    if (source?.type !== 'unix' || !source.path) throw unsupported('external TPM without a unix socket source');
    path = source.path;
  } else if (type === 'emulator') {
    if (!ctx.socketDir) throw unsupported('TPM emulator without a state folder');
    path = `${ctx.socketDir}/tpm${index}-swtpm.sock`;
  } else {
    // passthrough needs the host's TPM, which guests here never get
    throw unsupported(`TPM backend type '${type}'`);
  }
  return [
    '-chardev', qemuOpts('socket', { id: `chrtpm${index || ''}`, path }),
    '-tpmdev', qemuOpts('emulator', { id: `tpm-tpm${index}`, chardev: `chrtpm${index || ''}` }),
    '-device', qemuOpts(TPM_MODELS[model], { tpmdev: `tpm-tpm${index}`, id: `tpm${index}` }),
  ];
}

const WATCHDOG_ACTIONS: Record<string, string> = {
  reset: 'reset', shutdown: 'shutdown', poweroff: 'poweroff', pause: 'pause', none: 'none', 'inject-nmi': 'inject-nmi',
  // QEMU cannot dump by itself: the guest is paused, as libvirt does before it dumps
  dump: 'pause',
};

/** -device of each <watchdog> and the one -watchdog-action they share. */
export function watchdogArgs(watchdogs: XmlElement[], pci: (el: XmlElement) => Pci): string[] {
  const args: string[] = [];
  for (const [i, el] of watchdogs.entries()) {
    const model = el.attrs.model;
    if (model !== 'i6300esb' && model !== 'ib700' && model !== 'itco') throw unsupported(`watchdog model '${model}'`);
    if (model === 'itco') continue; // part of the Q35 chipset; only its action is ours
    args.push('-device', qemuOpts(model, { id: `watchdog${i}`, ...(model === 'i6300esb' ? pci(el) : {}) }));
  }
  const action = watchdogs[0]?.attrs.action ?? 'reset';
  if (watchdogs.length) {
    if (!WATCHDOG_ACTIONS[action]) throw unsupported(`watchdog action '${action}'`);
    args.push('-watchdog-action', WATCHDOG_ACTIONS[action]);
  }
  return args;
}

/** -device of an ISA <panic> notifier; hyperv panics are a CPU feature (see panicCpuFeatures). */
export function panicArgs(el: XmlElement): string[] {
  const model = el.attrs.model ?? 'isa';
  if (model === 'hyperv') return [];
  if (model !== 'isa') throw unsupported(`panic model '${model}'`);
  const iobase = childElement(el, 'address')?.attrs.iobase;
  return ['-device', qemuOpts('pvpanic', { ioport: iobase === undefined ? undefined : Number(iobase) })];
}

/** Whether a hyperv <panic> asks the CPU for hv-crash. */
export const wantsHypervCrash = (def: DomainDef) => def.devices.some((d) => d.kind === 'other' && d.element.name === 'panic' && d.element.attrs.model === 'hyperv');

/** -device of an <iommu>. */
export function iommuArgs(el: XmlElement, pci: Pci): string[] {
  const driver = childElement(el, 'driver')?.attrs ?? {};
  const onOff = (v: string | undefined) => (v === undefined ? undefined : v === 'on');
  if (el.attrs.model === 'intel') {
    return ['-device', qemuOpts('intel-iommu', {
      id: 'iommu0', intremap: driver.intremap, 'caching-mode': onOff(driver.caching_mode), eim: driver.eim,
      'device-iotlb': onOff(driver.iotlb), 'aw-bits': driver.aw_bits === undefined ? undefined : Number(driver.aw_bits),
    })];
  }
  if (el.attrs.model === 'virtio') return ['-device', qemuOpts('virtio-iommu', { id: 'iommu0', ...pci })];
  throw unsupported(`IOMMU model '${el.attrs.model}'`);
}

/** The lowest context ID a guest can have: 0-2 are the hypervisor's and the host's. */
const FIRST_GUEST_CID = 3;

/** -device of a <vsock>. */
export function vsockArgs(el: XmlElement, pci: Pci): string[] {
  const cid = childElement(el, 'cid')?.attrs ?? {};
  const guestCid = cid.address === undefined ? FIRST_GUEST_CID : Number(cid.address);
  if (!Number.isInteger(guestCid) || guestCid < FIRST_GUEST_CID) throw unsupported(`vsock CID '${cid.address}'`);
  return ['-device', qemuOpts('vhost-vsock-pci', { id: 'vsock0', 'guest-cid': guestCid, ...virtioOptions(el), ...pci })];
}

/** -object and -device of <rng> number `index`, and the -chardev of an EGD daemon's. */
export function rngArgs(el: XmlElement, index: number, pci: Pci, ctx: ChardevContext): string[] {
  if ((el.attrs.model ?? 'virtio') !== 'virtio' && !el.attrs.model?.startsWith('virtio')) throw unsupported(`RNG model '${el.attrs.model}'`);
  const backend = childElement(el, 'backend');
  const object = `objrng${index}`;
  const args: string[] = [];
  switch (backend?.attrs.model) {
    case 'random':
      args.push('-object', qemuOpts('rng-random', { id: object, filename: textOf(backend).trim() || '/dev/urandom' }));
      break;
    case 'builtin':
      args.push('-object', qemuOpts('rng-builtin', { id: object }));
      break;
    case 'egd': {
      const chardev = `charrng${index}`;
      args.push(...chardevArgs(backend, chardev, ctx), '-object', qemuOpts('rng-egd', { id: object, chardev }));
      break;
    }
    default: throw unsupported(`RNG backend model '${backend?.attrs.model}'`);
  }
  const rate = childElement(el, 'rate')?.attrs;
  args.push('-device', qemuOpts(el.attrs.model === 'virtio-non-transitional' ? 'virtio-rng-pci-non-transitional' : el.attrs.model === 'virtio-transitional' ? 'virtio-rng-pci-transitional' : 'virtio-rng-pci', {
    ...virtioOptions(el), rng: object, id: `rng${index}`,
    'max-bytes': rate?.bytes === undefined ? undefined : Number(rate.bytes), period: rate?.period === undefined ? undefined : Number(rate.period),
    ...pci,
  }));
  return args;
}

/** -device vmgenid of a <genid>; an empty one gets a GUID derived from nothing random (the domain's UUID). */
export function genidArgs(el: XmlElement, uuid: string): string[] {
  const guid = textOf(el).trim() || uuid;
  return ['-device', qemuOpts('vmgenid', { guid, id: 'vmgenid0' })];
}

/** -object iothread of each I/O thread: those <iothreadids> names, else 1..<iothreads>. */
export function iothreadArgs(def: DomainDef): string[] {
  const count = def.extra.find((e) => e.name === 'iothreads');
  const ids = def.extra.find((e) => e.name === 'iothreadids');
  const listed = ids ? childElements(ids, 'iothread') : [];
  const total = count ? Number(textOf(count).trim()) : listed.length;
  if (!Number.isInteger(total) || total < 0) throw unsupported('<iothreads> count');
  const threads = listed.map((t) => t.attrs);
  const taken = new Set(threads.map((t) => t.id));
  for (let id = 1; threads.length < total; id++) if (!taken.has(String(id))) threads.push({ id: String(id) });
  return threads.flatMap((t) => ['-object', qemuOpts('iothread', {
    id: `iothread${t.id}`,
    'thread-pool-min': t.thread_pool_min === undefined ? undefined : Number(t.thread_pool_min),
    'thread-pool-max': t.thread_pool_max === undefined ? undefined : Number(t.thread_pool_max),
  })]);
}
