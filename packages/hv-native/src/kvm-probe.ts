import { constants, openSync, closeSync } from 'node:fs';

import { type NativeBinding, callNative, loadNative } from './native-loader.js';
import { HvNativeError } from './hv-native-error.js';

/**
 * KVM_CAP_* numbers from <linux/kvm.h> (checked against the installed header by
 * test/kvm-probe.test.ts): those QEMU needs, and those that decide what a domain may use.
 */
export const KVM_EXTENSIONS = {
  KVM_CAP_IRQCHIP: 0,
  KVM_CAP_HLT: 1,
  KVM_CAP_USER_MEMORY: 3,
  KVM_CAP_SET_TSS_ADDR: 4,
  KVM_CAP_EXT_CPUID: 7,
  KVM_CAP_NR_VCPUS: 9,
  KVM_CAP_MP_STATE: 14,
  KVM_CAP_SYNC_MMU: 16,
  KVM_CAP_DESTROY_MEMORY_REGION_WORKS: 21,
  KVM_CAP_IRQ_ROUTING: 25,
  KVM_CAP_JOIN_MEMORY_REGIONS_WORKS: 30,
  KVM_CAP_MCE: 31,
  KVM_CAP_IRQFD: 32,
  KVM_CAP_PIT2: 33,
  KVM_CAP_IOEVENTFD: 36,
  KVM_CAP_ADJUST_CLOCK: 39,
  KVM_CAP_VCPU_EVENTS: 41,
  KVM_CAP_HYPERV: 44,
  KVM_CAP_DEBUGREGS: 50,
  KVM_CAP_XSAVE: 55,
  KVM_CAP_XCRS: 56,
  KVM_CAP_TSC_CONTROL: 60,
  KVM_CAP_GET_TSC_KHZ: 61,
  KVM_CAP_MAX_VCPUS: 66,
  KVM_CAP_TSC_DEADLINE_TIMER: 72,
  KVM_CAP_KVMCLOCK_CTRL: 76,
  KVM_CAP_READONLY_MEM: 81,
  KVM_CAP_HYPERV_TIME: 96,
  KVM_CAP_X86_SMM: 117,
  KVM_CAP_SPLIT_IRQCHIP: 121,
  KVM_CAP_MAX_VCPU_ID: 128,
  KVM_CAP_X2APIC_API: 129,
  KVM_CAP_IMMEDIATE_EXIT: 136,
  KVM_CAP_NESTED_STATE: 157,
  KVM_CAP_EXCEPTION_PAYLOAD: 164,
  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: 168,
  KVM_CAP_X86_USER_SPACE_MSR: 188,
  KVM_CAP_DIRTY_LOG_RING: 192,
  KVM_CAP_XSAVE2: 208,
  KVM_CAP_PMU_CAPABILITY: 212,
} as const;

export type KvmExtensionName = keyof typeof KVM_EXTENSIONS;

/**
 * QEMU 7.2 refuses to start with -accel kvm without these (its generic and x86
 * "required capabilities" lists).
 */
export const KVM_QEMU_REQUIRED: readonly KvmExtensionName[] = [
  'KVM_CAP_USER_MEMORY',
  'KVM_CAP_DESTROY_MEMORY_REGION_WORKS',
  'KVM_CAP_JOIN_MEMORY_REGIONS_WORKS',
  'KVM_CAP_SET_TSS_ADDR',
  'KVM_CAP_EXT_CPUID',
  'KVM_CAP_MP_STATE',
];

/** One entry of KVM_GET_SUPPORTED_CPUID: what a guest's CPUID may report. */
export interface KvmCpuidEntry {
  function: number;
  index: number;
  flags: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

export interface KvmInfo {
  /** 'native': from ioctls; 'fallback': no addon, only the device was checked. */
  source: 'native' | 'fallback';
  device: string;
  /** The device node exists. */
  present: boolean;
  /** It opens read-write, and (native path) answers as KVM at API version 12. */
  usable: boolean;
  /** Why it is not usable, or what the fallback could not learn; null when all is known. */
  reason: string | null;
  /** KVM_GET_API_VERSION; 12 on every kernel since 2.6.22. */
  apiVersion: number | null;
  /** KVM_CHECK_EXTENSION for each of KVM_EXTENSIONS: 0 = absent, else present (some give a count). */
  extensions: Record<KvmExtensionName, number> | null;
  /** Recommended and hard vCPU limits per VM, defaulted as the KVM API documentation says. */
  recommendedVcpus: number | null;
  maxVcpus: number | null;
  maxVcpuId: number | null;
  /** Required extensions (KVM_QEMU_REQUIRED) the kernel lacks; empty when QEMU can use KVM. */
  missingForQemu: KvmExtensionName[] | null;
  /** KVM_GET_SUPPORTED_CPUID (x86 only). */
  supportedCpuid: KvmCpuidEntry[] | null;
}

const EXTENSION_NAMES = Object.keys(KVM_EXTENSIONS) as KvmExtensionName[];

/**
 * Probes KVM. Never throws for a missing or unusable device (that is an answer:
 * `present`/`usable`/`reason`); throws EINVAL for a bad argument.
 */
export function probeKvm(device = '/dev/kvm'): KvmInfo {
  if (typeof device !== 'string' || device === '' || device.includes('\0')) {
    throw new HvNativeError('EINVAL', `KVM probe: device must be a path, got ${JSON.stringify(device)}`);
  }
  const native = loadNative();
  return native ? probeNative(device, native.kvmProbe) : probeFallback(device);
}

function probeNative(
  device: string,
  kvmProbe: NativeBinding['kvmProbe'],
): KvmInfo {
  const codes = EXTENSION_NAMES.map((name) => KVM_EXTENSIONS[name]);
  let raw: ReturnType<typeof kvmProbe>;
  try {
    raw = callNative('KVM probe', () => kvmProbe(device, codes));
  } catch (err) {
    if (!(err instanceof HvNativeError)) throw err;
    const present = err.code !== 'ENOENT' && err.code !== 'ENODEV' && err.code !== 'ENXIO';
    return unknown('native', device, present, false, err.message);
  }

  if (raw.apiVersion !== 12 || !raw.extensions) {
    return {
      ...unknown('native', device, true, false, `KVM API version ${raw.apiVersion}, expected 12`),
      apiVersion: raw.apiVersion,
    };
  }

  const values = raw.extensions;
  const extensions = Object.fromEntries(EXTENSION_NAMES.map((name, i) => [name, values[i]])) as Record<
    KvmExtensionName,
    number
  >;
  // Documented defaults: no NR_VCPUS answer means 4; no MAX_VCPUS means NR_VCPUS;
  // no MAX_VCPU_ID means MAX_VCPUS.
  const recommendedVcpus = extensions.KVM_CAP_NR_VCPUS || 4;
  const maxVcpus = extensions.KVM_CAP_MAX_VCPUS || recommendedVcpus;
  const maxVcpuId = extensions.KVM_CAP_MAX_VCPU_ID || maxVcpus;
  return {
    source: 'native',
    device,
    present: true,
    usable: true,
    reason: null,
    apiVersion: raw.apiVersion,
    extensions,
    recommendedVcpus,
    maxVcpus,
    maxVcpuId,
    missingForQemu: KVM_QEMU_REQUIRED.filter((name) => extensions[name] === 0),
    supportedCpuid: raw.cpuid ? cpuidEntries(raw.cpuid) : null,
  };
}

/** Without ioctls, all JavaScript can learn is whether the device opens read-write. */
function probeFallback(device: string): KvmInfo {
  const missing =
    'API version, extensions, vCPU limits and supported CPUID need the native addon';
  try {
    closeSync(openSync(device, constants.O_RDWR));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const present = code !== 'ENOENT' && code !== 'ENODEV' && code !== 'ENXIO';
    return unknown('fallback', device, present, false, `${(err as Error).message}; ${missing}`);
  }
  return unknown('fallback', device, true, true, missing);
}

function unknown(
  source: KvmInfo['source'],
  device: string,
  present: boolean,
  usable: boolean,
  reason: string,
): KvmInfo {
  return {
    source,
    device,
    present,
    usable,
    reason,
    apiVersion: null,
    extensions: null,
    recommendedVcpus: null,
    maxVcpus: null,
    maxVcpuId: null,
    missingForQemu: null,
    supportedCpuid: null,
  };
}

function cpuidEntries(flat: Uint32Array): KvmCpuidEntry[] {
  const entries: KvmCpuidEntry[] = [];
  for (let i = 0; i + 7 <= flat.length; i += 7) {
    entries.push({
      function: flat[i],
      index: flat[i + 1],
      flags: flat[i + 2],
      eax: flat[i + 3],
      ebx: flat[i + 4],
      ecx: flat[i + 5],
      edx: flat[i + 6],
    });
  }
  return entries;
}
