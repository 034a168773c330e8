// The host as the Xen driver describes it: node facts, the hypervisor's version and
// libvirt's capabilities (the host's CPUs and memory, and the guests it runs: PV,
// PVH and HVM, per the ABIs the hypervisor lists in xen_caps), from `xl info`; the
// host CPU's vendor and features from hv-native's probe where it is installed.
// Node info stays the hypervisor's own numbers (as libvirt's libxl driver: xl's CPU
// count, topology and clock), which a CPU probe in dom0 cannot see past.

import type { NodeInfo } from '@tsvirt/core';
import { formatCapabilitiesXml, type Capabilities, type CapsGuest, type CapsGuestToggle } from '@tsvirt/core/xml';
import type { XenDriverState } from './driver-state.js';
import { hostCpuFacts, type HostCpuFacts } from './host-cpu.js';
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

/** Where libxl's device model and HVM firmware live, as libvirt's libxl driver names them. */
const DEVICE_MODEL = '/usr/lib/xen/bin/qemu-system-i386';
const HVM_LOADER = '/usr/lib/xen/boot/hvmloader';

const FEATURE_ORDER = ['pae', 'nonpae', 'acpi', 'apic', 'hap'];
const toggle = (name: string, toggleable: boolean): CapsGuestToggle => ({ name, default: 'on', toggle: toggleable ? 'yes' : 'no' });

/**
 * One guest kind per ABI in xen_caps ("xen-3.0-x86_64", "hvm-3.0-x86_32p"), as libvirt's
 * libxl driver lists them: the 32-bit flavours merged (pae, nonpae), and a PVH kind
 * beside each HVM arch (PVH needs the same hardware support).
 */
export function xenGuests(h: XlHostInfo): CapsGuest[] {
  const guests: CapsGuest[] = [];
  for (const abi of h.xenCaps) {
    const m = /^(xen|hvm)-\d+\.\d+-(x86_64|x86_32p?|aarch64|armv7l)$/.exec(abi);
    if (!m) continue;
    const hvm = m[1] === 'hvm';
    const arch = m[2] === 'x86_64' ? 'x86_64' : m[2].startsWith('x86_32') ? 'i686' : m[2];
    const osType = hvm ? 'hvm' : 'xen';
    let guest = guests.find((g) => g.osType === osType && g.arch === arch);
    if (!guest) {
      guest = {
        osType, arch, wordsize: arch === 'x86_64' || arch === 'aarch64' ? 64 : 32, emulator: DEVICE_MODEL, ...(hvm ? { loader: HVM_LOADER } : {}),
        machines: [{ name: hvm ? 'xenfv' : 'xenpv' }], domainTypes: ['xen'], features: [],
      };
      guests.push(guest);
      if (hvm) {
        guest.features.push(toggle('acpi', true), toggle('apic', false), toggle('hap', true));
        guests.push({ osType: 'xenpvh', arch, wordsize: guest.wordsize, emulator: DEVICE_MODEL, machines: [{ name: 'xenpvh' }], domainTypes: ['xen'], features: [toggle('hap', true)] });
      }
    }
    const width = m[2] === 'x86_32p' ? 'pae' : m[2] === 'x86_32' ? 'nonpae' : null;
    if (width && !guest.features.includes(width)) guest.features.push(width);
  }
  // libvirt writes a guest's features in one order: pae, nonpae, acpi, apic, hap
  const rank = (f: string | CapsGuestToggle) => FEATURE_ORDER.indexOf(typeof f === 'string' ? f : f.name);
  for (const g of guests) g.features.sort((a, b) => rank(a) - rank(b));
  return guests;
}

export function xenCapabilities(h: XlHostInfo, cpu: HostCpuFacts): Capabilities {
  const cpusPerNode = Math.max(1, Math.floor(h.nrCpus / h.nrNodes));
  return {
    host: {
      arch: h.machine, cpuFeatures: [], pageSizes: [4], ...(cpu.vendor ? { cpuVendor: cpu.vendor } : {}), cpuFeatureNames: cpu.features,
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

export async function capabilitiesXml(s: XenDriverState): Promise<string> {
  const host = s.host();
  return formatCapabilitiesXml(xenCapabilities(host, await hostCpuFacts()));
}
