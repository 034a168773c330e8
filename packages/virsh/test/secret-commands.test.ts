import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { libvirtModuleMissing, libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';
import { virshEnv, virshScript } from './fixtures/run-virsh.js';

// The secret-* commands print what libvirt 9.0's virsh prints: one script of commands is run
// by libvirt's virsh against libvirt's secret driver (a private libvirtd with its secret
// module), and by tsvirt's virsh against that same driver and against test:///default in
// process; standard output, standard error and the exit code must be the same bytes.

const LIBVIRT_VIRSH = '/usr/bin/virsh';
const missing = libvirtdMissing() || libvirtModuleMissing('secret') || (!existsSync(LIBVIRT_VIRSH) && 'needs libvirt\'s virsh (apt-get install libvirt-clients)');
const A = 'aaaaaaaa-1111-4111-8111-111111111111';
const B = 'bbbbbbbb-2222-4222-8222-222222222222';

t.test('secret-define, -dumpxml, -set-value, -get-value, -list and -undefine as libvirt\'s virsh', { skip: missing }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'virsh-secrets-'));
  const libvirtd = await startPrivateLibvirtd({ modules: ['secret'] });
  t.teardown(async () => { await libvirtd.stop(); rmSync(dir, { recursive: true, force: true }); });
  const file = (name: string, text: string | Buffer) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const a = file('a.xml', `<secret ephemeral='no' private='no'>\n  <uuid>${A}</uuid>\n  <description>disk &amp; key</description>\n  <usage type='volume'>\n    <volume>/images/z.img</volume>\n  </usage>\n</secret>\n`);
  const b = file('b.xml', `<secret ephemeral='yes' private='yes'><uuid>${B}</uuid><usage type='ceph'><name>client.admin secret</name></usage></secret>`);
  const bad = file('bad.xml', "<secret><usage type='iscsi'/></secret>");
  const v64 = file('v64', 'c2VjcmV0\n');
  const raw = file('raw', Buffer.from([0x72, 0x61, 0x77, 0x01, 0xc3, 0xa9, 0xff]));
  const script = [
    `secret-define ${a}`, `secret-define --file ${b}`, `secret-define ${bad}`, `secret-define ${join(dir, 'none.xml')}`,
    `secret-dumpxml ${A}`, `secret-dumpxml --secret ${B}`, `secret-get-value ${A}`,
    `secret-set-value ${A} --file ${v64}`, `secret-get-value ${A}`,
    `secret-set-value --secret ${A} --file ${raw} --plain`, `secret-get-value ${A} --plain`,
    `secret-set-value ${A} --base64 aGk=`, `secret-get-value ${A}`, `secret-set-value ${A} --interactive`, `secret-get-value ${A} --plain`,
    `secret-set-value ${B} --base64 aGk=`, `secret-get-value ${B}`,
    `secret-set-value ${A}`, `secret-set-value ${A} --plain --base64 aGk=`, `secret-set-value ${A} --file ${join(dir, 'nofile')}`,
    'secret-list', 'secret-list --ephemeral', 'secret-list --no-ephemeral --no-private', 'secret-list --private --no-private',
    `secret-undefine ${A}`, `secret-undefine ${A}`, 'secret-dumpxml nonsense', `secret-undefine ${B}`, 'secret-list',
  ].join('; ');
  const secretUri = libvirtd.unixUri('secret', '/system');
  const r = spawnSync(LIBVIRT_VIRSH, ['-c', secretUri, script], { encoding: 'buffer', env: virshEnv, input: Buffer.from('typed in\n') });
  const libvirt = { out: r.stdout.toString('latin1'), err: r.stderr.toString('latin1'), rc: r.status };
  t.match(libvirt.out, `Secret ${A} created`, 'libvirt\'s virsh ran the script');
  t.match(libvirt.out, 'raw\x01\xc3\xa9\xff', 'a plain value is written as its bytes');

  for (const uri of [secretUri, 'test:///default']) {
    const ours = virshScript(script, uri, 'latin1', 'typed in\n');
    t.strictSame(ours, libvirt, `tsvirt's virsh on ${uri.replace(/\?.*/, '')}`);
  }
});
