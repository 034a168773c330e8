// The Xen driver's host facts where hv-native is not installed (its resolution is
// hidden by a module hook): the same node info and capabilities, without the host
// CPU's vendor and features. On the xl stand-in: NOT VERIFIED ON A HYPERVISOR.

import { register } from 'node:module';
import t from 'tap';
import { checkHostFacts } from './fixtures/host-facts.js';

register(new URL('./fixtures/hide-hv-native.mjs', import.meta.url));

t.test('without hv-native: the host from xl info alone, no CPU vendor or features', async (t) => {
  await t.rejects(import('@tsvirt/hv-native'), { code: 'ERR_MODULE_NOT_FOUND' }, 'hv-native cannot be loaded in this process');
  const { caps, vendor, features } = await checkHostFacts(t);
  t.equal(vendor, undefined, 'no vendor');
  t.same(features, [], 'no features');
  t.match(caps, /<cpu>\s*<arch>x86_64<\/arch>\s*<topology /, 'the CPU is its arch and topology');
});
