// The host as the Xen driver describes it: node facts and the hypervisor's version, from `xl info`.

import type { NodeInfo } from '@tsvirt/core';
import type { XenDriverState } from './driver-state.js';
import { xenVersionNumber } from './xl/xl-info.js';

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
