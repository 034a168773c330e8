// define --validate (VIR_DOMAIN_DEFINE_VALIDATE) checks the document against core's
// schema of domain XML before anything is defined, as libvirt does with its own.
import t from 'tap';
import { DomainDefineFlags, ErrorNumber, VirError } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);
const doc = (extra = '') => `<domain type='test'><name>v</name><memory>1024</memory><os><type>hvm</type></os>${extra}</domain>`;

t.test('a document outside the schema is refused with libvirt\'s code, a valid one defined', async (t) => {
  const c = await openDefault(t);
  const e = await c.defineDomainXML(doc('<bogus/>'), DomainDefineFlags.VALIDATE).then(() => undefined, (err: unknown) => err);
  t.ok(e instanceof VirError, 'a VirError');
  t.equal((e as VirError).code, ErrorNumber.XML_INVALID_SCHEMA);
  t.match((e as VirError).message, /^XML document failed to validate against schema: Unable to validate doc against .*domain\.rng\n.*bogus/s);
  await t.rejects(c.lookupDomainByName('v'), { code: ErrorNumber.NO_DOMAIN }, 'nothing defined');
  const dom = await c.defineDomainXML(doc("<devices><disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk></devices>"), DomainDefineFlags.VALIDATE);
  t.equal(dom.name, 'v');
  await dom.undefine();
  t.ok(await c.defineDomainXML(doc('<bogus/>')), 'without the flag, unknown elements are kept as libvirt would ignore them');
});
