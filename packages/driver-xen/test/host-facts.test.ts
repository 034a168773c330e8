// The Xen driver's host facts with hv-native installed: the host CPU's vendor and
// features in the capabilities are the probe's, in libvirt's words. On the xl
// stand-in: NOT VERIFIED ON A HYPERVISOR.

import { readFileSync } from 'node:fs';
import { probeCpu } from '@tsvirt/hv-native';
import t from 'tap';
import { checkHostFacts } from './fixtures/host-facts.js';

t.test('with hv-native: capabilities carry the host CPU probed by hv-native', async (t) => {
  const { vendor, features } = await checkHostFacts(t);
  const cpu = probeCpu();
  const procVendor = /^vendor_id\s*:\s*(\S+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  t.equal(vendor, { GenuineIntel: 'Intel', AuthenticAMD: 'AMD' }[procVendor ?? ''] ?? procVendor, "the vendor in libvirt's words");
  t.equal(features.length, cpu.flags.length, 'one feature per flag the probe found');
  t.ok(features.length > 10, 'the host CPU features are listed');
  for (const f of ['fpu', 'sse2']) t.ok(features.includes(f), `${f} is listed`);
  if (cpu.flags.includes('sse4_1')) t.ok(features.includes('sse4.1') && !features.includes('sse4_1'), "Linux's sse4_1 is libvirt's sse4.1");
});
