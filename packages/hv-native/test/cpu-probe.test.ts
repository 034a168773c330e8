import { readFileSync } from 'node:fs';

import t from 'tap';

import { CPUID_FEATURE_WORDS, HvNativeError, cpuid, probeCpu } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';

const isX86 = process.arch === 'x64' || process.arch === 'ia32';

/** The first processor of /proc/cpuinfo, read here independently of the code under test. */
function procCpuinfo(): Map<string, string> {
  const first = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0]!;
  return new Map(
    first
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
      }),
  );
}

t.test('cpuid agrees with /proc/cpuinfo', { skip: nativeMissing() || (!isX86 && 'not x86') }, async (t) => {
  const proc = procCpuinfo();
  const cpu = probeCpu();
  t.equal(cpu.source, 'cpuid');
  t.equal(cpu.vendor, proc.get('vendor_id'), 'vendor');
  t.equal(cpu.family, Number(proc.get('cpu family')), 'family');
  t.equal(cpu.model, Number(proc.get('model')), 'model');
  t.equal(cpu.stepping, Number(proc.get('stepping')), 'stepping');
  t.equal(cpu.modelName, proc.get('model name'), 'model name');

  // Every flag the kernel shows that comes straight from a CPUID bit is seen by cpuid;
  // the kernel may hide some bits (cleared features), never invent CPUID bits.
  const known = new Set(CPUID_FEATURE_WORDS.flatMap((w) => Object.values(w.bits)));
  const procFlags = proc.get('flags')!.split(/\s+/).filter((f) => known.has(f));
  const seen = new Set(cpu.flags);
  t.same(procFlags.filter((f) => !seen.has(f)), [], 'no /proc/cpuinfo CPUID flag missed');
  t.ok(cpu.flags.length >= procFlags.length, `${cpu.flags.length} flags from cpuid`);
  t.ok(cpu.flags.includes('fpu') && cpu.flags.includes('sse2'), 'baseline x86-64 flags');
  t.same(cpu.flags, [...cpu.flags].sort(), 'sorted');
});

t.test('raw cpuid: leaf 0 spells the vendor', { skip: nativeMissing() || (!isX86 && 'not x86') }, async (t) => {
  const r = cpuid(0);
  const vendor = Buffer.alloc(12);
  [r.ebx, r.edx, r.ecx].forEach((v, i) => vendor.writeUInt32LE(v, i * 4));
  t.equal(vendor.toString('latin1'), procCpuinfo().get('vendor_id'));
  t.ok(r.eax >= 1, 'highest basic leaf');
  t.same(cpuid(7), cpuid(7, 0), 'subleaf defaults to 0');
});

t.test('cpuid rejects bad leaves with EINVAL', async (t) => {
  for (const bad of [-1, 1.5, 2 ** 32, NaN, '1' as unknown as number]) {
    t.throws(() => cpuid(bad), { name: 'HvNativeError', code: 'EINVAL' }, `leaf ${String(bad)}`);
  }
  t.throws(() => cpuid(0, -2), { code: 'EINVAL' }, 'subleaf');
});

t.test('fallback: /proc/cpuinfo', async (t) => {
  const proc = procCpuinfo();
  const cpu = await withNativeOff(() => probeCpu());
  t.equal(cpu.source, 'proc');
  t.equal(cpu.vendor, proc.get('vendor_id') ?? null);
  t.equal(cpu.modelName, proc.get('model name') ?? null);
  if (isX86) {
    t.equal(cpu.family, Number(proc.get('cpu family')));
    t.ok(cpu.flags.includes('fpu'));
  }
  if (!nativeMissing() && isX86) {
    const native = probeCpu();
    t.same(
      { vendor: native.vendor, family: native.family, model: native.model, stepping: native.stepping },
      { vendor: cpu.vendor, family: cpu.family, model: cpu.model, stepping: cpu.stepping },
      'both paths report the same CPU',
    );
  }
});

t.test('without the addon, raw cpuid is UNAVAILABLE', async (t) => {
  await withNativeOff(() => {
    const err = t.throws(() => cpuid(0), { code: 'UNAVAILABLE' }) as HvNativeError;
    t.type(err, HvNativeError);
    t.match(err.message, /TSVIRT_HV_NATIVE=off/);
  });
});
