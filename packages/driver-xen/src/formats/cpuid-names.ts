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
