// CPU feature names where libxl's cpuid= spelling differs from libvirt's (pni is sse3 to
// libxl); every other name is the same in both.

const LIBVIRT_TO_LIBXL: Record<string, string> = {
  cx16: 'cmpxchg16', cid: 'cntxid', ds_cpl: 'dscpl', pclmuldq: 'pclmulqdq', pni: 'sse3', ht: 'htt', pn: 'psn', clflush: 'clfsh',
  sep: 'sysenter', cx8: 'cmpxchg8', nodeid_msr: 'nodeid', cr8legacy: 'altmovcr8', lahf_lm: 'lahfsahf', cmp_legacy: 'cmplegacy',
  fxsr_opt: 'ffxsr', pdpe1gb: 'page1gb', 'spec-ctrl': 'ibrsb',
};
const LIBXL_TO_LIBVIRT = Object.fromEntries(Object.entries(LIBVIRT_TO_LIBXL).map(([a, b]) => [b, a]));

export const cpuFeatureFromLibxl = (name: string): string => LIBXL_TO_LIBVIRT[name] ?? name;
export const cpuFeatureToLibxl = (name: string): string => LIBVIRT_TO_LIBXL[name] ?? name;

/** Where libxl's cpuid= names live: leaf, subleaf, register and bit of each (libxl's table, the common leaves). */
interface CpuidBit {
  leaf: number;
  subleaf?: number;
  reg: 'eax' | 'ebx' | 'ecx' | 'edx';
  bit: number;
}

const LEAF_BITS: [number, number | undefined, CpuidBit['reg'], string][] = [
  [1, undefined, 'ecx', 'sse3 pclmulqdq dtes64 monitor dscpl vmx smx est tm2 ssse3 cntxid - fma cmpxchg16 xtpr pdcm - pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc-deadline aes xsave osxsave avx f16c rdrand hypervisor'],
  [1, undefined, 'edx', 'fpu vme de pse tsc msr pae mce cmpxchg8 apic - sysenter mtrr pge mca cmov pat pse36 psn clfsh - ds acpi mmx fxsr sse sse2 ss htt tm ia64 pbe'],
  [7, 0, 'ebx', 'fsgsbase tsc_adjust sgx bmi1 hle avx2 - smep bmi2 erms invpcid rtm cmt - mpx - avx512f avx512dq rdseed adx smap avx512-ifma - clflushopt clwb - avx512pf avx512er avx512cd sha avx512bw avx512vl'],
  [0x80000001, undefined, 'ecx', 'lahfsahf cmplegacy svm extapic altmovcr8 abm sse4a misalignsse 3dnowprefetch osvw ibs xop skinit wdt - lwp fma4 - - nodeid - tbm topoext perfctr_core perfctr_nb'],
  [0x80000001, undefined, 'edx', '- - - - - - - - - - - syscall - - - - - - - - nx - mmxext - - ffxsr page1gb rdtscp - lm 3dnowext 3dnow'],
];

const CPUID_BITS = new Map<string, CpuidBit>();
for (const [leaf, subleaf, reg, names] of LEAF_BITS) {
  names.split(' ').forEach((name, bit) => {
    if (name !== '-') CPUID_BITS.set(name, { leaf, subleaf, reg, bit });
  });
}

/** Where a libxl cpuid= name is, or undefined for a name outside the table. */
export const cpuidBit = (libxlName: string): CpuidBit | undefined => CPUID_BITS.get(libxlName);
