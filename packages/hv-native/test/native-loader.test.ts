import { fileURLToPath } from 'node:url';

import t from 'tap';

import { capabilities, nativeStatus } from '../src/index.js';
import { loadNative } from '../src/native-loader.js';
import { fallbackReport, nativeMissing, withNativeOff } from './fixtures/native.js';

const noAddon = nativeMissing();
const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));

t.test('with the addon every feature takes the native path', { skip: noAddon }, async (t) => {
  t.match(nativeStatus(), { loaded: true, reason: null, path: /build\/Release\/hv_native\.node$/ });
  const caps = capabilities();
  for (const feature of ['kvmProbe', 'fdPassing', 'getAffinity', 'setAffinity', 'tapDevices', 'peerCredentials'] as const) {
    t.equal(caps[feature].path, 'native', feature);
  }
  if (process.arch === 'x64' || process.arch === 'ia32') t.equal(caps.cpuProbe.path, 'native', 'cpuProbe');
});

t.test('TSVIRT_HV_NATIVE=off in this process', async (t) => {
  await withNativeOff(() => {
    t.equal(loadNative(), null);
    t.match(nativeStatus(), { loaded: false, reason: /TSVIRT_HV_NATIVE=off/ });
    t.match(capabilities(), {
      addon: { loaded: false },
      cpuProbe: { path: 'fallback', detail: /\/proc\/cpuinfo/ },
      kvmProbe: { path: 'fallback', detail: /need the addon/ },
      fdPassing: { path: 'unavailable', detail: /TSVIRT_HV_NATIVE=off/ },
      getAffinity: { path: 'fallback', detail: /Cpus_allowed_list/ },
      setAffinity: { path: 'unavailable' },
      tapDevices: { path: 'unavailable', detail: /TSVIRT_HV_NATIVE=off/ },
      peerCredentials: { path: 'unavailable', detail: /TSVIRT_HV_NATIVE=off/ },
    });
  });
  if (!noAddon) t.not(loadNative(), null, 'back on once the variable is gone');
});

t.test('TSVIRT_HV_NATIVE=off in a fresh process: fallbacks work, the rest is UNAVAILABLE', async (t) => {
  const report = await fallbackReport(index, { TSVIRT_HV_NATIVE: 'off' });
  t.match(report, {
    capabilities: { addon: { loaded: false, reason: /TSVIRT_HV_NATIVE=off/ } },
    cpuSource: { ok: 'proc' },
    cpuVendor: { ok: String },
    kvm: { ok: { source: 'fallback', apiVersion: null } },
    getAffinity: { ok: true },
    setAffinity: { error: 'UNAVAILABLE', name: 'HvNativeError' },
    sendFds: { error: 'UNAVAILABLE', name: 'HvNativeError' },
    recvFds: { error: 'UNAVAILABLE', name: 'HvNativeError' },
    cpuid: { error: 'UNAVAILABLE', name: 'HvNativeError' },
  });
});

t.test('the same process without the switch uses the addon', { skip: noAddon }, async (t) => {
  const report = await fallbackReport(index, { TSVIRT_HV_NATIVE: undefined });
  t.match(report, {
    capabilities: { addon: { loaded: true } },
    kvm: { ok: { source: 'native', apiVersion: 12 } },
    sendFds: { error: 'ENOTCONN' }, // a socket never connected: typed, not a crash
  });
});

t.test('the raw binding throws on garbage instead of crashing', { skip: noAddon }, async (t) => {
  const raw = loadNative()! as unknown as Record<string, (...args: unknown[]) => unknown>;
  const garbage: [string, unknown[]][] = [
    ['cpuid', []],
    ['cpuid', ['x', 0]],
    ['cpuid', [-1, 0]],
    ['kvmProbe', [42, []]],
    ['kvmProbe', ['/dev/kvm', 'x']],
    ['kvmProbe', ['/dev/kvm', [1.5]]],
    ['sendFds', [1.5, Buffer.from('x'), [0]]],
    ['sendFds', [0, 'x', [0]]],
    ['sendFds', [0, Buffer.alloc(0), [0]]],
    ['sendFds', [0, Buffer.from('x'), []]],
    ['sendFds', [0, Buffer.from('x'), [{}]]],
    ['sendFds', [0, Buffer.from('x'), new Array(254).fill(0)]],
    ['recvFds', [0, 0, 0, 0]],
    ['recvFds', [0, 1, 254, 0]],
    ['recvFds', [0, 1, 1, -1]],
    ['setAffinity', [process.pid, []]],
    ['setAffinity', [process.pid, [70000]]],
    ['setAffinity', [0, [0]]],
    ['setAffinity', [process.pid, null]],
    ['getAffinity', ['self']],
    ['getAffinity', [-1]],
  ];
  for (const [name, args] of garbage) {
    t.throws(() => raw[name]!(...args), /./, `${name}(${args.map((a) => JSON.stringify(a)?.slice(0, 20)).join(', ')})`);
  }
  t.pass('still alive');
});
