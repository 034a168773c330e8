// The capabilities a qemu:/// connection reports: the host (CPUs, memory) and
// what the QEMU binary can run, from its probed (and cached) capabilities.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorNumber } from '@tsvirt/core';
import type { Capabilities } from '@tsvirt/core/xml';
import { loadQemuCapabilities, type QemuCapabilities } from './qemu-capabilities.js';
import type { QemuDirs } from './qemu-dirs.js';
import type { QemuUser } from './qemu-process.js';
import { qemuError } from './qemu-errors.js';
import type { HostCpu } from './host-cpu.js';

/** A binary named without a folder is looked up on PATH, as exec would. */
export async function resolveBinary(binary: string): Promise<string> {
  if (binary.includes('/')) return path.resolve(binary);
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean)) {
    const candidate = path.join(dir, binary);
    if (await fs.access(candidate, fs.constants.X_OK).then(() => true, () => false)) return candidate;
  }
  throw qemuError(ErrorNumber.INTERNAL_ERROR, `Cannot find QEMU binary ${binary}: No such file or directory`);
}

/** `user`: probe as the user guests run as, as libvirt does. */
export async function probeBinary(binary: string, dirs: QemuDirs, user?: QemuUser): Promise<QemuCapabilities> {
  const absolute = await resolveBinary(binary);
  return (await loadQemuCapabilities(absolute, { runDir: dirs.runDir, cacheDir: dirs.cacheDir, ...(user ? { user } : {}) })).capabilities;
}

const NODE_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' };

/** The host's architecture in libvirt's words (x86_64, not Node's x64). */
export const hostArch = () => NODE_ARCH[os.arch()] ?? os.arch();

export function hostCapabilities(qemu: QemuCapabilities, cpu: HostCpu): Capabilities {
  const arch = hostArch();
  return {
    host: {
      arch,
      cpuFeatures: [],
      cpuVendor: cpu.vendor,
      cpuTopology: { sockets: cpu.sockets, dies: 1, cores: cpu.cores, threads: cpu.threads },
      cpuFeatureNames: cpu.features,
      pageSizes: [4],
      cells: [{
        id: 0,
        memoryKiB: Math.floor(os.totalmem() / 1024),
        pages: [],
        cpus: os.cpus().map((_, id) => ({ id, socketId: 0, dieId: 0, coreId: id, siblings: String(id) })),
      }],
      secmodels: [],
    },
    guests: [{
      osType: 'hvm',
      arch,
      wordsize: 64,
      emulator: qemu.binary,
      machines: qemu.machines.flatMap((m) => [
        ...(m.alias ? [{ name: m.alias, canonical: m.name, maxCpus: m.maxCpus }] : []),
        { name: m.name, maxCpus: m.maxCpus },
      ]),
      domainTypes: qemu.accelerators.map((a) => (a === 'tcg' ? 'qemu' : 'kvm')),
      features: ['acpi', 'apic'],
    }],
  };
}

/** libvirt's version number of QEMU: major * 1,000,000 + minor * 1,000 + micro. */
export const qemuVersionNumber = (qemu: QemuCapabilities) => qemu.version.major * 1_000_000 + qemu.version.minor * 1_000 + qemu.version.micro;
