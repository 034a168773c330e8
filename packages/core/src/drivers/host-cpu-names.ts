// A host CPU probe's words (CPUID's vendor string, Linux's /proc/cpuinfo flag names)
// in libvirt's words, as every hypervisor driver writes them in its capabilities.

const VENDORS: Record<string, string> = { GenuineIntel: 'Intel', AuthenticAMD: 'AMD', HygonGenuine: 'Hygon' };

// Where libvirt's CPU feature names differ from Linux's /proc/cpuinfo flags.
const FEATURE_NAMES: Record<string, string> = {
  sse4_1: 'sse4.1', sse4_2: 'sse4.2', pclmulqdq: 'pclmuldq', tsc_deadline_timer: 'tsc-deadline',
  arch_capabilities: 'arch-capabilities', md_clear: 'md-clear', spec_ctrl: 'spec-ctrl', flush_l1d: 'flush-l1d',
  cr8_legacy: 'cr8legacy', invpcid_single: 'invpcid',
};

/** 'GenuineIntel' → 'Intel'; a vendor libvirt has no word for stays as the CPU names itself. */
export const libvirtCpuVendor = (cpuidVendor: string): string => VENDORS[cpuidVendor] ?? cpuidVendor;

/** Linux's flag names → libvirt's feature names. */
export const libvirtCpuFeatures = (linuxFlags: readonly string[]): string[] => linuxFlags.map((f) => FEATURE_NAMES[f] ?? f);
