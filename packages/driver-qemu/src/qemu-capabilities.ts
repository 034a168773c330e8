// What a QEMU binary can do, asked of the binary itself over QMP, and cached
// on disk until the binary changes (libvirt does the same: a probe costs a
// process start, while the answer only changes when QEMU is replaced).

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorNumber } from '@tsvirt/core';
import { strerror } from '@tsvirt/core/driver';
import { qemuError } from './qemu-errors.js';
import { QemuProcess, type QemuUser } from './qemu-process.js';
import type { QemuVersion } from './qmp/qmp-wire.js';

export interface QemuMachine {
  name: string;
  /** Short name that stands for this machine, e.g. "pc" for "pc-i440fx-7.2". */
  alias?: string;
  isDefault: boolean;
  maxCpus: number;
  deprecated: boolean;
  defaultCpuType?: string;
}

export interface QemuCpuModel {
  name: string;
  /** False when the accelerator probed (TCG) lacks some of the model's features. */
  usable: boolean;
  deprecated: boolean;
}

export interface QemuCapabilities {
  /** Absolute path of the binary probed. */
  binary: string;
  version: QemuVersion;
  machines: QemuMachine[];
  /** CPU models as seen with the TCG accelerator, which the probe runs under. */
  cpuModels: QemuCpuModel[];
  /** "tcg" always; "kvm" when QEMU reports KVM present (a usable /dev/kvm). */
  accelerators: Array<'tcg' | 'kvm'>;
  /** Instantiable device types (qom-list-types implementing "device"), sorted. */
  deviceTypes: string[];
  /** How long the probe took, from exec to the process's exit. */
  probeMs: number;
}

export interface QemuCapabilitiesOptions {
  /** Existing directory for the probe's QMP socket, pidfile and log. */
  runDir: string;
  /** Bound on the probe process's start. Default: QemuProcess's. */
  startTimeoutMs?: number;
  /** Probe as this user, as guests are run (default: as the caller). */
  user?: QemuUser;
}

// Bumped whenever QemuCapabilities changes shape, so that old cache files are ignored.
const CACHE_FORMAT = 1;

let probeCounter = 0;

/** Start `binary -machine none` and ask it over QMP what it supports. */
export async function probeQemuCapabilities(binary: string, options: QemuCapabilitiesOptions): Promise<QemuCapabilities> {
  const absolute = path.resolve(binary);
  const started = performance.now();
  const name = `capabilities-${process.pid}-${++probeCounter}`;
  const logFile = path.join(options.runDir, `${name}.log`);
  const qemu = await QemuProcess.start({
    binary: absolute,
    args: ['-machine', 'none', '-accel', 'tcg', '-nodefaults', '-no-user-config', '-display', 'none'],
    monitorPath: path.join(options.runDir, `${name}.qmp`),
    pidFile: path.join(options.runDir, `${name}.pid`),
    logFile,
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    ...(options.user === undefined ? {} : { user: options.user }),
  }).catch(async (err: unknown) => {
    await fs.rm(logFile, { force: true });
    throw err;
  });
  try {
    const [machines, cpus, kvm, devices] = await Promise.all([
      qemu.qmp.execute<QmpMachineInfo[]>('query-machines'),
      qemu.qmp.execute<QmpCpuDefinition[]>('query-cpu-definitions'),
      qemu.qmp.execute<{ present: boolean; enabled: boolean }>('query-kvm'),
      qemu.qmp.execute<Array<{ name: string }>>('qom-list-types', { implements: 'device', abstract: false }),
    ]);
    await qemu.stop();
    return {
      binary: absolute,
      version: qemu.qmp.greeting.version,
      machines: machines
        .map((m) => ({
          name: m.name,
          ...(m.alias === undefined ? {} : { alias: m.alias }),
          isDefault: m['is-default'] === true,
          maxCpus: m['cpu-max'],
          deprecated: m.deprecated === true,
          ...(m['default-cpu-type'] === undefined ? {} : { defaultCpuType: m['default-cpu-type'] }),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      cpuModels: cpus
        .map((c) => ({ name: c.name, usable: (c['unavailable-features'] ?? []).length === 0, deprecated: c.deprecated === true }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      accelerators: kvm.present ? ['tcg', 'kvm'] : ['tcg'],
      deviceTypes: devices.map((d) => d.name).sort(),
      probeMs: Math.round(performance.now() - started),
    };
  } finally {
    await qemu.kill();
    await fs.rm(logFile, { force: true });
  }
}

/**
 * Capabilities of `binary` from the cache in `cacheDir` when the binary's
 * path, size, mtime and ctime are those recorded, otherwise probed and cached.
 */
export async function loadQemuCapabilities(
  binary: string,
  options: QemuCapabilitiesOptions & { cacheDir: string },
): Promise<{ capabilities: QemuCapabilities; fromCache: boolean }> {
  const absolute = path.resolve(binary);
  const key = await binaryKey(absolute);
  const file = path.join(options.cacheDir, `qemu-${createHash('sha256').update(absolute).digest('hex').slice(0, 16)}.json`);
  const cached = await readCache(file);
  if (cached && sameKey(cached.key, key)) return { capabilities: cached.capabilities, fromCache: true };

  const capabilities = await probeQemuCapabilities(absolute, options);
  const entry: CacheEntry = { format: CACHE_FORMAT, key, capabilities };
  // Atomic replace: a reader sees the old entry or the new one, never half of one.
  await fs.mkdir(options.cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${++probeCounter}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(entry, null, 2) + '\n');
  await fs.rename(tmp, file);
  return { capabilities, fromCache: false };
}

interface BinaryKey {
  path: string;
  size: number;
  // Nanoseconds as decimal strings: a touch within the same millisecond still invalidates.
  mtimeNs: string;
  ctimeNs: string;
}

interface CacheEntry {
  format: number;
  key: BinaryKey;
  capabilities: QemuCapabilities;
}

async function binaryKey(absolute: string): Promise<BinaryKey> {
  // libvirt's words for an emulator that is not there (a path a caller may have named).
  const st = await fs.stat(absolute, { bigint: true }).catch((e: unknown) => {
    throw qemuError(ErrorNumber.SYSTEM_ERROR, `Cannot check QEMU binary ${absolute}: ${strerror(e)}`);
  });
  return { path: absolute, size: Number(st.size), mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString() };
}

function sameKey(a: BinaryKey, b: BinaryKey): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

async function readCache(file: string): Promise<CacheEntry | undefined> {
  let entry: unknown;
  try {
    entry = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    // Missing or unreadable: probe again and overwrite it.
    return undefined;
  }
  const e = entry as Partial<CacheEntry> | null;
  return e && e.format === CACHE_FORMAT && e.key && e.capabilities ? (e as CacheEntry) : undefined;
}

interface QmpMachineInfo {
  name: string;
  alias?: string;
  'is-default'?: boolean;
  'cpu-max': number;
  deprecated?: boolean;
  'default-cpu-type'?: string;
}

interface QmpCpuDefinition {
  name: string;
  'unavailable-features'?: string[];
  deprecated?: boolean;
}
