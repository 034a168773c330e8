// The host CPU's vendor and features for the Xen driver's capabilities, from
// @tsvirt/hv-native's probe when it is installed (CPUID, or its /proc/cpuinfo
// fallback). Without it the capabilities still describe the host from `xl info`
// (topology, memory, guests), with no CPU vendor or features, as libvirt's libxl
// driver does when it cannot decode the host CPU.

import { libvirtCpuFeatures, libvirtCpuVendor } from '@tsvirt/core/driver';
import { loadHvNative } from './hv-native-peer.js';

export interface HostCpuFacts {
  /** where the facts come from: hv-native's probe, or none */
  source: 'hv-native' | 'none';
  vendor?: string;
  /** feature names as libvirt spells them */
  features: string[];
}

let cached: Promise<HostCpuFacts> | undefined;

export function hostCpuFacts(): Promise<HostCpuFacts> {
  cached ??= (async (): Promise<HostCpuFacts> => {
    const hv = await loadHvNative();
    if (!hv) return { source: 'none', features: [] };
    try {
      const cpu = hv.probeCpu();
      return { source: 'hv-native', ...(cpu.vendor ? { vendor: libvirtCpuVendor(cpu.vendor) } : {}), features: libvirtCpuFeatures(cpu.flags) };
    } catch {
      // a probe that fails (no /proc, a CPU it does not know) takes nothing from the host's description
      return { source: 'none', features: [] };
    }
  })();
  return cached;
}
