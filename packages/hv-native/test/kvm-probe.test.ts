import { existsSync, readFileSync } from 'node:fs';

import t from 'tap';

import { KVM_EXTENSIONS, KVM_QEMU_REQUIRED, probeCpu, probeKvm } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';

const kvmMissing = existsSync('/dev/kvm') ? false : '/dev/kvm is absent on this host';
const KVM_HEADER = '/usr/include/linux/kvm.h';

t.test('KVM through ioctls', { skip: nativeMissing() || kvmMissing }, async (t) => {
  const kvm = probeKvm();
  t.equal(kvm.source, 'native');
  t.equal(kvm.present, true);
  t.equal(kvm.usable, true, kvm.reason ?? 'usable');
  t.equal(kvm.reason, null);
  t.equal(kvm.apiVersion, 12, 'KVM_GET_API_VERSION');
  t.same(kvm.missingForQemu, [], 'QEMU finds every extension it requires');
  for (const name of KVM_QEMU_REQUIRED) t.ok(kvm.extensions![name] > 0, name);
  t.ok(kvm.recommendedVcpus! >= 1, `recommended vCPUs ${kvm.recommendedVcpus}`);
  t.ok(kvm.maxVcpus! >= kvm.recommendedVcpus!, `max vCPUs ${kvm.maxVcpus}`);
  t.ok(kvm.maxVcpuId! >= kvm.maxVcpus!, `max vCPU id ${kvm.maxVcpuId}`);
  t.same(Object.keys(kvm.extensions!).sort(), Object.keys(KVM_EXTENSIONS).sort(), 'every extension asked');

  const table = kvm.supportedCpuid!;
  t.ok(table.length > 10, `${table.length} supported CPUID entries`);
  const leaf0 = table.find((e) => e.function === 0 && e.index === 0);
  t.ok(leaf0, 'leaf 0 is in the table');
  const vendor = Buffer.alloc(12);
  [leaf0!.ebx, leaf0!.edx, leaf0!.ecx].forEach((v, i) => vendor.writeUInt32LE(v, i * 4));
  t.equal(vendor.toString('latin1'), probeCpu().vendor, 'KVM offers guests the host vendor');
});

t.test('KVM_CAP numbers match the installed kernel header', { skip: !existsSync(KVM_HEADER) && `${KVM_HEADER} absent` }, async (t) => {
  const header = readFileSync(KVM_HEADER, 'utf8');
  for (const [name, value] of Object.entries(KVM_EXTENSIONS)) {
    const m = new RegExp(`^#define ${name}\\s+(\\d+)`, 'm').exec(header);
    t.equal(m && Number(m[1]), value, name);
  }
});

t.test('devices that are not KVM', { skip: nativeMissing() }, async (t) => {
  const notKvm = probeKvm('/dev/null');
  t.match(notKvm, { source: 'native', present: true, usable: false, apiVersion: null, extensions: null });
  t.match(notKvm.reason, /ENOTTY|Inappropriate ioctl/);

  const absent = probeKvm('/nonexistent/kvm');
  t.match(absent, { present: false, usable: false });
  t.match(absent.reason, /ENOENT|No such file/);
});

t.test('fallback: presence and access only', { skip: kvmMissing }, async (t) => {
  const kvm = await withNativeOff(() => probeKvm());
  t.match(kvm, {
    source: 'fallback',
    present: true,
    usable: true,
    apiVersion: null,
    extensions: null,
    supportedCpuid: null,
    missingForQemu: null,
  });
  t.match(kvm.reason, /need the native addon/);
  const absent = await withNativeOff(() => probeKvm('/nonexistent/kvm'));
  t.match(absent, { source: 'fallback', present: false, usable: false });
});

t.test('bad device arguments are EINVAL', async (t) => {
  for (const bad of ['', 'a\0b', 42 as unknown as string]) {
    t.throws(() => probeKvm(bad), { name: 'HvNativeError', code: 'EINVAL' }, JSON.stringify(bad));
  }
});
