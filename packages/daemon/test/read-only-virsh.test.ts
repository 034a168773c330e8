import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { startDaemon, virsh } from './fixtures/daemon-harness.js';

// virsh on tsvirtd's read-only socket fails as libvirt's virsh fails on a read-only
// connection, word for word, for the calls a read-only client once got through.

const LIBVIRT_VIRSH = '/usr/bin/virsh';
const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const ro = `test+unix:///default?socket=${daemon.ro}`;

const COMMANDS = [
  ['domtime', 'test'],
  ['domhostname', 'test'],
  ['pool-refresh', 'default-pool'],
  ['domxml-to-native', 'qemu-argv', '/dev/null'],
  ['domcapabilities'],
  ['dumpxml', 'test', '--security-info'],
];

const libvirt = (args: string[]) => {
  const r = spawnSync(LIBVIRT_VIRSH, ['-r', '-c', 'test:///default', ...args], { encoding: 'utf8' });
  return { err: r.stderr, rc: r.status };
};

for (const args of COMMANDS) {
  t.test(`virsh -r ${args.join(' ')}`, async (t) => {
    const ours = virsh('-r', '-c', ro, ...args);
    t.equal(ours.rc, 1, 'fails');
    t.match(ours.err, /error: operation forbidden: (read only access prevents vir\w+|virDomainGetXMLDesc with secure flag)\n/);
    if (existsSync(LIBVIRT_VIRSH)) t.same({ err: ours.err, rc: ours.rc }, libvirt(args), 'as libvirt 9.0\'s virsh does');
  });
}
