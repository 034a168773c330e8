// core's schema of domain XML is written from the domain layout: the committed file is
// the generator's output (node scripts/write-domain-schema.mjs after a build).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { ErrorNumber } from '@tsvirt/core';
import { DOMAIN_SCHEMA, domainRelaxNg, validateDomainXml } from '@tsvirt/core/xml';

t.test('schemas/domain.rng is fresh', async (t) => {
  t.equal(readFileSync(DOMAIN_SCHEMA, 'utf8'), domainRelaxNg(), 'regenerate with: node scripts/write-domain-schema.mjs');
});

t.test('it takes what the formatter writes and custom extensions, and refuses unknown elements', async (t) => {
  await validateDomainXml(`<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>a</name><memory unit='KiB'>1024</memory>
    <metadata><app:x xmlns:app='urn:x' y='1'><app:z/></app:x></metadata>
    <os firmware='efi'><type arch='x86_64'>hvm</type><boot dev='hd'/></os>
    <devices><graphics type='vnc' port='-1' autoport='yes'><listen type='address'/></graphics></devices>
    <qemu:commandline><qemu:arg value='-x'/></qemu:commandline></domain>`);
  await t.rejects(validateDomainXml("<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os><devices><disk bogus='1'/></devices></domain>"), { code: ErrorNumber.XML_INVALID_SCHEMA });
});
