import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError } from '../src/index.js';
import { formatDomainXml, parseDomainXml } from '../src/entry-points/xml.js';

const NEWDOM = `<domain type='test'>
  <name>newdom</name>
  <uuid>11111111222233334444555555555555</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <interface type='network'><source network='default'/><mac address='52:54:00:AA:BB:01'/></interface>
    <memballoon model='virtio'/>
    <disk type='file' device='disk'><target dev='vda' bus='virtio'/><source file='/img/a.img'/></disk>
  </devices>
  <features><acpi/></features>
</domain>`;

t.test('parse fills libvirt\'s defaults and formats in libvirt\'s order', async (t) => {
  const def = parseDomainXml(NEWDOM);
  t.equal(def.memory, 131072);
  t.equal(def.currentMemory, 131072);
  t.equal(def.uuid, '11111111-2222-3333-4444-555555555555');
  t.equal(formatDomainXml(def, { id: 3, secure: true }), `<domain type='test' id='3'>
  <name>newdom</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='KiB'>131072</memory>
  <currentMemory unit='KiB'>131072</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/img/a.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:01'/>
      <source network='default'/>
    </interface>
    <memballoon model='virtio'/>
  </devices>
</domain>
`);
  const again = parseDomainXml(formatDomainXml(def, { secure: true }));
  t.equal(formatDomainXml(again, { secure: true }), formatDomainXml(def, { secure: true }), 'formatting is a fixed point');
});

t.test('a disk\'s <source> keeps its children (a per-disk seclabel)', async (t) => {
  const def = parseDomainXml(NEWDOM.replace("<source file='/img/a.img'/>",
    "<source file='/img/a.img'><seclabel model='dac' relabel='no'/></source>"));
  t.match(formatDomainXml(def, { secure: false }), `      <source file='/img/a.img'>
        <seclabel model='dac' relabel='no'/>
      </source>
      <target dev='vda' bus='virtio'/>`);
});

t.test('bad documents give libvirt\'s errors', async (t) => {
  const err = (xml: string) => { try { parseDomainXml(xml); } catch (e) { return e as VirError; } throw new Error('parsed'); };
  const malformed = err("<domain type='test'><name>bad</name>\n");
  t.equal(malformed.code, ErrorNumber.XML_DETAIL);
  t.equal(malformed.message, '(domain_definition):2: Premature end of data in tag domain line 1\n(null)\n^');
  t.match(err("<domain type='bogus'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>"), { code: ErrorNumber.CONFIG_UNSUPPORTED, message: 'unsupported configuration: invalid domain type bogus' });
  t.match(err("<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>"), { code: ErrorNumber.NO_NAME, message: 'missing name information' });
  t.match(err("<network/>"), { code: ErrorNumber.XML_ERROR, message: "XML error: expecting root element of 'domain', not 'network'" });
  t.match(err("<domain type='test'><name>x</name><uuid>zz</uuid><memory>1</memory><os><type>hvm</type></os></domain>"), { code: ErrorNumber.INTERNAL_ERROR });
  t.match(err("<domain type='test'><name>x</name><memory unit='parsec'>1</memory><os><type>hvm</type></os></domain>"), { code: ErrorNumber.INVALID_ARG, message: "invalid argument: unknown suffix 'parsec'" });
  t.match(err(''), { code: ErrorNumber.XML_DETAIL, domain: ErrorDomain.DOMAIN, message: '(domain_definition):1: Document is empty\n(null)\n^' });
  t.match(err('x'.repeat(11 * 1024 * 1024)), { code: ErrorNumber.XML_ERROR, message: /larger than/ });
});

t.test('external entities are never expanded or fetched', async (t) => {
  const xml = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain type='test'><name>&x;</name><memory>1</memory><os><type>hvm</type></os></domain>`;
  let name = '';
  try { name = parseDomainXml(xml).name; } catch (e) { t.ok(e instanceof VirError, 'refused as a VirError'); return; }
  t.notMatch(name, /root:/, 'the entity is not expanded');
});
