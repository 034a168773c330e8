// vncdisplay, ttyconsole, domif-getlink, update-device and maxvcpus on test:///default:
// what they read from the domain's XML, beside libvirt's virsh where it is installed.

import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { virshEnv, virshScript } from './fixtures/run-virsh.js';
import { sampleDir } from './fixtures/sample-options.js';

const vncXml = join(sampleDir, 'vnc.xml');
writeFileSync(vncXml, "<domain type='test'><name>vnc</name><memory>65536</memory><os><type>hvm</type></os><devices><graphics type='spice' port='5910'/><graphics type='vnc' port='5905' listen='127.0.0.1'/></devices></domain>");
const linkDown = join(sampleDir, 'link-down.xml');
writeFileSync(linkDown, "<interface type='network'><mac address='aa:bb:cc:dd:ee:ff'/><source network='default'/><link state='down'/></interface>");
const downXml = join(sampleDir, 'down.xml');
writeFileSync(downXml, "<domain type='test'><name>down</name><memory>65536</memory><os><type>hvm</type></os><devices><interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/><target dev='tap7'/><link state='down'/></interface></devices></domain>");

const SCRIPTS = [
  `create ${vncXml}; vncdisplay vnc`, `define ${vncXml}; vncdisplay vnc`, 'vncdisplay test', 'ttyconsole test',
  'domif-getlink test testnet0', 'domif-getlink test AA:BB:CC:DD:EE:FF --config', 'domif-getlink test aa:bb:cc:dd:ee:00', 'domif-getlink test nosuch',
  'maxvcpus', 'maxvcpus --type test', `update-device test ${linkDown}`, `update-device test ${linkDown} --config --force`,
];

t.test('tsvirt\'s answers', async (t) => {
  t.same(virshScript(`create ${vncXml}; vncdisplay vnc`).out, `Domain 'vnc' created from ${vncXml}\n\n127.0.0.1:5\n\n`, 'the VNC display, not the SPICE one');
  t.same(virshScript('domif-getlink test testnet0; domif-getlink test AA:BB:CC:DD:EE:FF').out, 'testnet0 up\nAA:BB:CC:DD:EE:FF up\n', 'by target or MAC, up by default');
  t.same(virshScript(`define ${downXml}; domif-getlink down tap7 --config; domif-getlink down 52:54:00:00:00:01`).out, `Domain 'down' defined from ${downXml}\n\ntap7 down\n52:54:00:00:00:01 down\n`, 'the link state the XML gives');
  t.same(virshScript('domif-getlink test nosuch'), { out: '\n', err: 'error: Interface (dev: nosuch) not found.\n', rc: 1 });
});

t.test('as libvirt\'s virsh', { skip: existsSync('/usr/bin/virsh') ? false : 'libvirt\'s virsh is not installed (apt-get install libvirt-clients)' }, async (t) => {
  for (const script of SCRIPTS) {
    const r = spawnSync('/usr/bin/virsh', ['-c', 'test:///default', script], { encoding: 'utf8', env: virshEnv, timeout: 30_000 });
    t.same(virshScript(script), { out: r.stdout, err: r.stderr, rc: r.status }, script);
  }
});
