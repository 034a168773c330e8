import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshScript } from './fixtures/run-virsh.js';

// dominfo's "Messages:" lines, as libvirt 9.0's virsh prints them: only when there are some.

t.setTimeout(120000);

const NODE = `<node>
  <domain type='test'>
    <name>fv</name>
    <uuid>4dea22b31d52d8f32516782e98ab3fa0</uuid>
    <cpu mode='custom'><model>Deprecated-Test</model></cpu>
    <os><type>hvm</type></os>
    <memory>1024</memory>
    <devices><interface type='bridge'><source bridge='br0'/><script path='vif-bridge'/></interface></devices>
  </domain>
</node>`;

t.test('dominfo lists the messages under one label, later ones indented', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'tsvirt-dominfo-')), 'node.xml');
  writeFileSync(file, NODE);
  const r = virshScript('dominfo fv', `test://${file}`);
  t.equal(r.rc, 0);
  t.match(r.out, `Security label: libvirt-test (enforcing)
Messages:       tainted: network configuration using opaque shell scripts
                tainted: use of deprecated configuration settings
                deprecated configuration: CPU model Deprecated-Test

`);
});

t.test('no messages, no label', async (t) => {
  t.notMatch(virshScript('dominfo test').out, /Messages:/);
});
