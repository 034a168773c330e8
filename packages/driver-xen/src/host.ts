// The host as the Xen driver describes it: node facts, the hypervisor's version and
// libvirt's capabilities (the host's CPUs and memory, and the guests it runs: PV,
// PVH and HVM, per the ABIs the hypervisor lists in xen_caps), from `xl info`.

import type { NodeInfo } from '@tsvirt/core';
import { formatCapabilitiesXml, type Capabilities, type CapsGuest } from '@tsvirt/core/xml';
import type { XenDriverState } from './driver-state.js';
import { xenVersionNumber, type XlHostInfo } from './xl/xl-info.js';

/** libvirt's libxl node info: the topology xl reports, memory in KiB. */
export function nodeInfo(s: XenDriverState): NodeInfo {
  const h = s.host();
  const perNode = h.coresPerSocket * h.threadsPerCore * h.nrNodes;
  return {
    model: h.machine, memory: h.totalMemory * 1024, cpus: h.nrCpus, mhz: Math.floor(h.cpuMhz),
    nodes: h.nrNodes, sockets: Math.max(1, Math.floor(h.nrCpus / perNode)), cores: h.coresPerSocket, threads: h.threadsPerCore,
  };
}

export const xenVersion = (s: XenDriverState): number => xenVersionNumber(s.host());

/** Where libxl's device model lives, as libvirt's libxl driver names it. */
const DEVICE_MODEL = '/usr/lib/xen/bin/qemu-system-i386';
const HVM_FEATURES = ['pae', 'nonpae', 'acpi', 'apic', 'hap', 'viridian', 'deviceboot'];

/** One guest kind per ABI in xen_caps ("xen-3.0-x86_64", "hvm-3.0-x86_32p"), and PVH where the CPU does HVM. */
export function xenGuests(h: XlHostInfo): CapsGuest[] {
  const guests: CapsGuest[] = [];
  const add = (osType: string, arch: string, machine: string, features: string[]) => {
    if (guests.some((g) => g.osType === osType && g.arch === arch)) return;
    guests.push({
      osType, arch, wordsize: arch === 'x86_64' || arch === 'aarch64' ? 64 : 32, emulator: DEVICE_MODEL,
      machines: [{ name: machine }], domainTypes: ['xen'], features,
    });
  };
  for (const abi of h.xenCaps) {
    const m = /^(xen|hvm)-\d+\.\d+-(x86_64|x86_32p?|aarch64|armv7l)$/.exec(abi);
    if (!m) continue;
    const arch = m[2] === 'x86_64' ? 'x86_64' : m[2].startsWith('x86_32') ? 'i686' : m[2];
    if (m[1] === 'xen') add('xen', arch, 'xenpv', m[2] === 'x86_32p' ? ['pae'] : []);
    else add('hvm', arch, 'xenfv', h.virtCaps.includes('hap') ? HVM_FEATURES : HVM_FEATURES.filter((f) => f !== 'hap'));
  }
  if (h.virtCaps.includes('hvm') && h.machine === 'x86_64') add('xenpvh', 'x86_64', 'xenpvh', []);
  return guests;
}

export function xenCapabilities(h: XlHostInfo): Capabilities {
  const cpusPerNode = Math.max(1, Math.floor(h.nrCpus / h.nrNodes));
  return {
    host: {
      arch: h.machine, cpuFeatures: [], pageSizes: [4],
      cpuTopology: { sockets: Math.max(1, Math.floor(cpusPerNode / (h.coresPerSocket * h.threadsPerCore))), dies: 1, cores: h.coresPerSocket, threads: h.threadsPerCore },
      cells: Array.from({ length: h.nrNodes }, (_, node) => ({
        id: node, memoryKiB: Math.floor((h.totalMemory * 1024) / h.nrNodes), pages: [],
        cpus: Array.from({ length: cpusPerNode }, (_, i) => {
          const id = node * cpusPerNode + i;
          return { id, socketId: Math.floor(i / (h.coresPerSocket * h.threadsPerCore)), dieId: 0, coreId: Math.floor(i / h.threadsPerCore) % h.coresPerSocket, siblings: String(id) };
        }),
      })),
      secmodels: [],
    },
    guests: xenGuests(h),
  };
}

export const capabilitiesXml = (s: XenDriverState): string => formatCapabilitiesXml(xenCapabilities(s.host()));
