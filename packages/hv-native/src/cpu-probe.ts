import { readFileSync } from 'node:fs';

import { CPUID_FEATURE_WORDS } from './cpu-features.js';
import { HvNativeError } from './hv-native-error.js';
import { type NativeBinding, callNative, loadNative, requireNative } from './native-loader.js';
import { checkInteger } from './validate.js';

export interface CpuInfo {
  /** 'cpuid' when read from the instruction (addon), 'proc' when from /proc/cpuinfo. */
  source: 'cpuid' | 'proc';
  /** 'GenuineIntel', 'AuthenticAMD', ...; null when unknown (non-x86 /proc/cpuinfo). */
  vendor: string | null;
  /** Display family, model and stepping, computed as Linux does. */
  family: number | null;
  model: number | null;
  stepping: number | null;
  /** The brand string, e.g. "AMD EPYC 7B13". */
  modelName: string | null;
  /** Feature flags in Linux's /proc/cpuinfo names, sorted. See cpu-features.ts. */
  flags: string[];
}

export interface CpuidRegisters {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** Runs CPUID once. Needs the addon on x86; UNAVAILABLE otherwise. */
export function cpuid(leaf: number, subleaf = 0): CpuidRegisters {
  checkInteger(leaf, 'leaf', 0, 2 ** 32 - 1);
  checkInteger(subleaf, 'subleaf', 0, 2 ** 32 - 1);
  const instruction = requireNative('cpuid').cpuid;
  if (!instruction) {
    throw new HvNativeError('UNAVAILABLE', `cpuid: no CPUID instruction on ${process.arch}`);
  }
  return runCpuid(instruction, leaf, subleaf);
}

/** CPU facts of this host: from CPUID with the addon on x86, from /proc/cpuinfo otherwise. */
export function probeCpu(): CpuInfo {
  const instruction = loadNative()?.cpuid;
  return instruction ? probeCpuid(instruction) : probeProcCpuinfo();
}

type CpuidInstruction = NonNullable<NativeBinding['cpuid']>;

function runCpuid(instruction: CpuidInstruction, leaf: number, subleaf: number): CpuidRegisters {
  const [eax, ebx, ecx, edx] = callNative('cpuid', () => instruction(leaf, subleaf));
  return { eax, ebx, ecx, edx };
}

function probeCpuid(instruction: CpuidInstruction): CpuInfo {
  // Several feature words share a leaf: ask the CPU once per leaf.
  const seen = new Map<string, CpuidRegisters>();
  const cpuid = (leaf: number, subleaf = 0): CpuidRegisters => {
    const key = `${leaf}/${subleaf}`;
    let registers = seen.get(key);
    if (!registers) {
      registers = runCpuid(instruction, leaf, subleaf);
      seen.set(key, registers);
    }
    return registers;
  };
  const basic = cpuid(0);
  const maxBasic = basic.eax;
  const vendor = registersToString([basic.ebx, basic.edx, basic.ecx]);
  const maxExtended = cpuid(0x80000000).eax;

  let family = null;
  let model = null;
  let stepping = null;
  if (maxBasic >= 1) {
    const signature = cpuid(1).eax;
    family = (signature >>> 8) & 0xf;
    model = (signature >>> 4) & 0xf;
    stepping = signature & 0xf;
    // Linux's rule (arch/x86/lib/cpu.c): extended family only for family 0xf,
    // extended model from family 6 on.
    if (family === 0xf) family += (signature >>> 20) & 0xff;
    if (family >= 0x6) model += ((signature >>> 16) & 0xf) << 4;
  }

  let modelName = null;
  if (maxExtended >= 0x80000004) {
    const words: number[] = [];
    for (const leaf of [0x80000002, 0x80000003, 0x80000004]) {
      const r = cpuid(leaf);
      words.push(r.eax, r.ebx, r.ecx, r.edx);
    }
    modelName = registersToString(words).trim() || null;
  }

  const leaf7 = maxBasic >= 7 ? cpuid(7, 0).eax : 0;
  const flags: string[] = [];
  for (const word of CPUID_FEATURE_WORDS) {
    const present =
      word.leaf >= 0x80000000 ? word.leaf <= maxExtended : word.leaf <= maxBasic;
    // Leaf 7 reports its highest subleaf in subleaf 0's eax.
    if (!present || (word.leaf === 7 && word.subleaf > leaf7)) continue;
    const value = cpuid(word.leaf, word.subleaf)[word.register];
    for (const [bit, name] of Object.entries(word.bits)) {
      if ((value >>> Number(bit)) & 1) flags.push(name);
    }
  }
  return { source: 'cpuid', vendor, family, model, stepping, modelName, flags: flags.sort() };
}

/** Pure fallback: the first processor's entry in /proc/cpuinfo. */
function probeProcCpuinfo(): CpuInfo {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch (err) {
    throw new HvNativeError(
      'UNAVAILABLE',
      `CPU probe: no addon and /proc/cpuinfo is unreadable: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) break; // the first processor is enough
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const number = (key: string): number | null => {
    const value = fields.get(key);
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
  };
  const flags = (fields.get('flags') ?? fields.get('Features') ?? '').split(/\s+/).filter(Boolean);
  return {
    source: 'proc',
    vendor: fields.get('vendor_id') ?? null,
    family: number('cpu family'),
    model: number('model'),
    stepping: number('stepping'),
    modelName: fields.get('model name') || null,
    flags: flags.sort(),
  };
}

/** CPUID returns strings as little-endian ASCII in registers; NULs end them. */
function registersToString(registers: number[]): string {
  const bytes = Buffer.alloc(registers.length * 4);
  registers.forEach((r, i) => bytes.writeUInt32LE(r >>> 0, i * 4));
  const end = bytes.indexOf(0);
  return bytes.toString('latin1', 0, end === -1 ? bytes.length : end);
}
