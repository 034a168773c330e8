// The host as the QEMU driver describes it: capabilities, node facts, domain capabilities, version.

import { cpus, totalmem } from 'node:os';
import { promises as fs } from 'node:fs';
import type { NodeCPUMap, NodeInfo } from '@tsvirt/core';
import { formatCapabilitiesXml } from '@tsvirt/core/xml';
import { formatDomainCapabilities } from './domain-capabilities.js';
import type { QemuDriverState } from './driver-state.js';
import { hostArch, hostCapabilities, probeBinary, qemuVersionNumber } from './host-capabilities.js';
import { hostCpu } from './host-cpu.js';
import { parseCpuList } from './cpu-list.js';
import { checkFlags } from './qemu-errors.js';

export async function capabilitiesXml(s: QemuDriverState): Promise<string> {
  return formatCapabilitiesXml(hostCapabilities(await s.capabilities(), await hostCpu()));
}

/** Host facts as libvirt's QEMU driver gives them: CPU topology from the host, memory in KiB. */
export async function nodeInfo(): Promise<NodeInfo> {
  const cpu = await hostCpu();
  return { model: hostArch(), memory: Math.floor(totalmem() / 1024), cpus: cpus().length, mhz: cpu.mhz, nodes: 1, sockets: cpu.sockets, cores: cpu.cores, threads: cpu.threads };
}

/** nodecpumap: the host's CPUs and which are online (sysfs), as vcpuinfo needs them to print affinities. */
export async function nodeCpuMap(flags: number): Promise<NodeCPUMap> {
  checkFlags(flags, 0, 'virNodeGetCPUMap');
  const read = (f: string) => fs.readFile(`/sys/devices/system/cpu/${f}`, 'utf8').then((t) => parseCpuList(t.trim()), () => undefined);
  const present = (await read('present')) ?? cpus().map((_, i) => i);
  return { cpus: Math.max(...present) + 1, online: (await read('online')) ?? present };
}

export async function domainCapabilitiesXml(
  s: QemuDriverState, emulatorbin: string | undefined, arch: string | undefined, machine: string | undefined, virttype: string | undefined, flags: number,
): Promise<string> {
  checkFlags(flags, 0, 'qemuConnectGetDomainCapabilities');
  const qemu = emulatorbin === undefined ? await s.capabilities() : await probeBinary(emulatorbin, s.dirs, s.qemuUser);
  return formatDomainCapabilities(qemu, { arch, machine, virttype });
}

export async function qemuVersion(s: QemuDriverState): Promise<number> {
  return qemuVersionNumber(await s.capabilities());
}
