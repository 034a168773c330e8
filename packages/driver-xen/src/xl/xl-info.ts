// `xl info`: the host as the hypervisor describes it, one "key : value" line per
// fact (xl has no JSON form of it). Parsed leniently (an older or newer xl adds or
// drops lines) and strictly bounded (it is another program's output).

import { ErrorNumber } from '@tsvirt/core';
import { xenError } from '../xen-errors.js';

export interface XlHostInfo {
  host: string;
  release: string;
  machine: string;
  nrCpus: number;
  nrNodes: number;
  coresPerSocket: number;
  threadsPerCore: number;
  cpuMhz: number;
  /** virt_caps: pv, hvm, hap, shadow, ... */
  virtCaps: string[];
  /** MiB */
  totalMemory: number;
  /** MiB */
  freeMemory: number;
  xenMajor: number;
  xenMinor: number;
  /** ".3-pre" */
  xenExtra: string;
  /** xen_caps: xen-3.0-x86_64 hvm-3.0-x86_32 ... (the guest ABIs the hypervisor runs) */
  xenCaps: string[];
  xenScheduler: string;
}

const MAX_LINES = 200;
const MAX_VALUE = 4096;

const badOutput = (why: string) => xenError(ErrorNumber.INTERNAL_ERROR, `unexpected output of xl info: ${why}`);

/** The "key : value" lines of xl's host output. */
export function parseXlInfoLines(text: string): Map<string, string> {
  const facts = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.length > MAX_LINES) throw badOutput(`more than ${MAX_LINES} lines`);
  for (const line of lines) {
    if (!line.trim()) continue;
    const m = /^([a-z_0-9]{1,64})\s*:\s?(.*)$/.exec(line);
    if (!m) throw badOutput(`line '${line.slice(0, 80)}'`);
    if (m[2].length > MAX_VALUE) throw badOutput(`${m[1]} longer than ${MAX_VALUE} characters`);
    facts.set(m[1], m[2].trim());
  }
  return facts;
}

export function parseXlInfo(text: string): XlHostInfo {
  const f = parseXlInfoLines(text);
  const num = (key: string, fallback?: number): number => {
    const v = f.get(key);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw badOutput(`no ${key}`);
    }
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || n > 2 ** 52) throw badOutput(`${key} '${v.slice(0, 40)}' is not a number`);
    return n;
  };
  const words = (key: string) => (f.get(key) ?? '').split(/\s+/).filter(Boolean);
  const info: XlHostInfo = {
    host: f.get('host') ?? '',
    release: f.get('release') ?? '',
    machine: f.get('machine') ?? '',
    nrCpus: num('nr_cpus'),
    nrNodes: num('nr_nodes', 1),
    coresPerSocket: num('cores_per_socket', 1),
    threadsPerCore: num('threads_per_core', 1),
    cpuMhz: num('cpu_mhz', 0),
    virtCaps: words('virt_caps'),
    totalMemory: num('total_memory'),
    freeMemory: num('free_memory', 0),
    xenMajor: num('xen_major', 0),
    xenMinor: num('xen_minor', 0),
    xenExtra: f.get('xen_extra') ?? '',
    xenCaps: words('xen_caps'),
    xenScheduler: f.get('xen_scheduler') ?? '',
  };
  if (!info.machine) throw badOutput('no machine');
  if (info.nrCpus < 1 || info.nrNodes < 1 || info.coresPerSocket < 1 || info.threadsPerCore < 1) throw badOutput('a CPU count below 1');
  return info;
}

/** libvirt's version number of the hypervisor: major * 1,000,000 + minor * 1,000 + release (xen_extra's number). */
export function xenVersionNumber(info: XlHostInfo): number {
  const release = /^\.(\d{1,3})/.exec(info.xenExtra);
  return info.xenMajor * 1_000_000 + info.xenMinor * 1000 + (release ? Number(release[1]) : 0);
}
