import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DomainMessageType, ErrorNumber, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { driver } from '../src/index.js';
import { openDefault } from './fixtures/open-default.js';

registerDriver(driver);

// A node file whose domains carry each thing libvirt's test driver taints a domain for.
const NODE = `<node>
  <domain type='test'>
    <name>tainted</name>
    <cpu mode='custom'><model>Deprecated-Test</model></cpu>
    <os><type>hvm</type><dtb>/root/ppc.dtb</dtb></os>
    <memory>1024</memory>
    <devices>
      <interface type='bridge'><source bridge='br0'/><script path='vif-bridge'/></interface>
      <disk type='block' device='cdrom'><source dev='/dev/sr0'/><target dev='hdb' bus='ide'/><readonly/></disk>
      <disk type='block' device='lun' rawio='yes'><source dev='/dev/sdz'/><target dev='sda' bus='scsi'/></disk>
    </devices>
  </domain>
  <domain type='test'>
    <name>clean</name>
    <os><type>hvm</type></os>
    <memory>1024</memory>
    <devices>
      <disk type='file' device='cdrom'><source file='/img/boot.iso'/><target dev='hdc'/></disk>
    </devices>
  </domain>
</node>`;

async function connect() {
  const file = join(mkdtempSync(join(tmpdir(), 'tsvirt-messages-')), 'node.xml');
  writeFileSync(file, NODE);
  return open(`test://${file}`);
}

t.test('domains loaded from a node file report libvirt\'s taints and deprecations, in its order', async (t) => {
  const c = await connect();
  const dom = await c.lookupDomainByName('tainted');
  t.same(await dom.getMessages(), [
    'tainted: running with undesirable elevated privileges',
    'tainted: network configuration using opaque shell scripts',
    'tainted: use of host cdrom passthrough',
    'tainted: custom device tree blob used',
    'tainted: use of deprecated configuration settings',
    'deprecated configuration: CPU model Deprecated-Test',
  ]);
  t.same(await dom.getMessages(DomainMessageType.DEPRECATION), ['deprecated configuration: CPU model Deprecated-Test']);
  t.equal((await dom.getMessages(DomainMessageType.TAINTING)).length, 5);
  await t.rejects(dom.getMessages(4), { code: ErrorNumber.INVALID_ARG, message: 'unsupported flags (0x4) in function testDomainGetMessages' });
  t.same(await (await c.lookupDomainByName('clean')).getMessages(), [], 'a cdrom backed by a file taints nothing');
});

t.test('defined domains are not checked, as in libvirt\'s test driver', async (t) => {
  const c = await openDefault(t);
  const dom = await c.defineDomainXML("<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os><devices><interface type='bridge'><source bridge='br0'/><script path='x'/></interface></devices></domain>");
  t.same(await dom.getMessages(), []);
});

t.test('the test driver fills in libvirt\'s post-parse defaults, with its own video model', async (t) => {
  const c = await openDefault(t);
  const pv = await c.defineDomainXML("<domain type='test'><name>pv</name><memory>1024</memory><os><type>xen</type></os><devices><graphics type='vnc'/></devices></domain>");
  t.match(await pv.getXMLDesc(), "<model type='xen' vram='4096' heads='1' primary='yes'/>", 'a paravirtualized guest gets a Xen framebuffer');
  const hvm = await c.defineDomainXML("<domain type='test'><name>fv</name><memory>1024</memory><os><type>hvm</type></os><devices><disk type='file'><source file='/a'/><target dev='hda'/></disk><graphics type='vnc'/></devices></domain>");
  const xml = await hvm.getXMLDesc();
  t.match(xml, "<model type='cirrus' vram='16384' heads='1' primary='yes'/>");
  t.match(xml, "<target dev='hda' bus='ide'/>");
  t.match(xml, "<controller type='ide' index='0'/>");
});
