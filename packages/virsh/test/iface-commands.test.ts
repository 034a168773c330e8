import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';
import { virshEnv, virshScript } from './fixtures/run-virsh.js';

// iface-define, -undefine, -start, -destroy and the change transaction (iface-begin,
// -commit, -rollback) do to test:///default what they do to libvirt 9.0's test driver:
// one script run by libvirt's virsh and by tsvirt's, the same bytes out and the same exit code;
// tsvirt's virsh also runs it against libvirtd's test driver, over libvirt's REMOTE program.

const LIBVIRT_VIRSH = '/usr/bin/virsh';

t.test('host interface commands as libvirt\'s virsh on its test driver', { skip: existsSync(LIBVIRT_VIRSH) ? false : 'needs libvirt\'s virsh (apt-get install libvirt-clients)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'virsh-iface-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const eth2 = file('eth2.xml', "<interface type='ethernet' name='eth2'>\n  <start mode='onboot'/>\n  <mac address='aa:bb:cc:dd:ee:02'/>\n</interface>\n");
  const eth2b = file('eth2b.xml', "<interface type='ethernet' name='eth2'><mac address='aa:bb:cc:dd:ee:03'/></interface>");
  const bad = file('bad.xml', '<interface/>');
  const script = [
    'iface-list --all', `iface-define ${eth2}`, `iface-define --file ${eth2} --validate`, `iface-define ${bad}`, `iface-define ${join(dir, 'none.xml')}`,
    'iface-list --all', 'iface-start eth2', 'iface-start eth2', 'iface-list --inactive', 'iface-destroy aa:bb:cc:dd:ee:02', 'iface-destroy eth2',
    'iface-start nosuch', 'iface-commit', 'iface-rollback', 'iface-begin', 'iface-begin', `iface-define ${eth2b}`, 'iface-dumpxml eth2',
    'iface-undefine eth1', 'iface-list --all', 'iface-rollback', 'iface-list --all', 'iface-dumpxml eth2', 'iface-begin', 'iface-undefine eth2',
    'iface-commit', 'iface-list --all', 'iface-undefine eth2', 'iface-mac eth1',
  ].join('; ');
  const r = spawnSync(LIBVIRT_VIRSH, ['-c', 'test:///default', script], { encoding: 'utf8', env: virshEnv });
  const libvirt = { out: r.stdout, err: r.stderr, rc: r.status };
  t.match(libvirt.out, 'Network config change transaction rolled back', 'libvirt\'s virsh ran the script');
  t.strictSame(virshScript(script), libvirt, 'tsvirt\'s virsh: the same output, errors and exit code');
  if (libvirtdMissing()) {
    t.comment(`not through libvirtd: ${libvirtdMissing()}`);
    return;
  }
  // libvirtd starts test:///default afresh for each virsh, as its last client leaves it
  const daemon = await startPrivateLibvirtd();
  t.teardown(() => daemon.stop());
  t.strictSame(virshScript(script, daemon.unixUri()), libvirt, 'tsvirt\'s virsh through libvirtd');
});
