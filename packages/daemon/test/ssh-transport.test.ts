import t from 'tap';
import { TSVIRTD, virsh } from './fixtures/daemon-harness.js';
import { noSshd, startSshd } from './fixtures/test-sshd.js';

t.test('test+ssh:// reaches tsvirtd --stdio through the system ssh client and a real sshd', { skip: noSshd }, async (t) => {
  const { port, key } = await startSshd(t);
  // The far side runs this checkout's daemon; a real install has tsvirtd on PATH (the default command).
  const command = `exec ${process.execPath} ${TSVIRTD} --stdio`;
  const uri = `test+ssh://root@127.0.0.1:${port}/default?keyfile=${key}&no_verify=1&known_hosts=/dev/null&command=${encodeURIComponent(command)}`;
  const local = virsh('-c', 'test:///default', 'list', '--all');
  t.equal(local.rc, 0);
  t.same(virsh('-c', uri, 'list', '--all'), local);
  // The far side is read-only: the refusal comes from the daemon, not from virsh.
  const ro = virsh('-c', uri.replace('--stdio', '--stdio --read-only'), 'destroy', 'test');
  t.equal(ro.rc, 1);
  t.match(ro.err, 'read only access prevents virDomainDestroy');
});
