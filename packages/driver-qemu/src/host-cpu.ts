// The host CPU as the QEMU driver reports it (capabilities XML, node info): vendor and
// features from @tsvirt/hv-native's probe when it is installed (cpuid, or its
// /proc/cpuinfo fallback), topology from /proc/cpuinfo.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { libvirtCpuFeatures, libvirtCpuVendor } from '@tsvirt/core/driver';
import { loadHvNative } from './hv-native-peer.js';

export interface HostCpu {
  vendor?: string;
  /** feature names as libvirt spells them */
  features: string[];
  sockets: number;
  cores: number;
  threads: number;
  mhz: number;
}

/** Sockets, cores per socket and threads per core, from /proc/cpuinfo (one socket of n cores when it says nothing). */
function topology(cpus: number): { sockets: number; cores: number; threads: number } {
  let text = '';
  try { text = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux: fall back below */ }
  const values = (key: string) => [...text.matchAll(new RegExp(`^${key}\\s*:\\s*(\\d+)`, 'gm'))].map((m) => Number(m[1]));
  const sockets = new Set(values('physical id')).size || 1;
  const cores = values('cpu cores')[0] || Math.max(1, Math.floor(cpus / sockets));
  const threads = Math.max(1, Math.floor(cpus / (sockets * cores)));
  return { sockets, cores, threads };
}

let cached: Promise<HostCpu> | undefined;

export function hostCpu(): Promise<HostCpu> {
  cached ??= (async () => {
    const cpus = os.cpus();
    const base = { ...topology(cpus.length), mhz: cpus[0]?.speed ?? 0 };
    const hv = await loadHvNative();
    if (!hv) return { ...base, features: [] };
    try {
      const info = hv.probeCpu();
      return { ...base, vendor: info.vendor ? libvirtCpuVendor(info.vendor) : undefined, features: libvirtCpuFeatures(info.flags) };
    } catch {
      return { ...base, features: [] };
    }
  })();
  return cached;
}
