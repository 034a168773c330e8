import t from 'tap';
import { open, VirError } from '@tsvirt/core';
import { startDaemon, virsh, freePort } from './fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki } from './fixtures/test-pki.js';

t.test('TLS with client certificates checked, and plain TCP', { skip: !hasOpenssl && 'openssl is not installed (apt-get install openssl)' }, async (t) => {
  const pki = makeTestPki();
  const [tlsPort, tcpPort] = [await freePort(), await freePort()];
  const daemon = await startDaemon([
    '--listen', `tls://127.0.0.1:${tlsPort}`, '--listen', `tcp://127.0.0.1:${tcpPort}`,
    '--tls-cert', pki.server.cert, '--tls-key', pki.server.key, '--tls-ca', pki.server.ca,
  ]);
  t.teardown(() => daemon.stop());
  const local = virsh('-c', 'test:///default', 'list', '--all');
  t.equal(local.rc, 0);

  t.same(virsh('-c', `test+tls://localhost:${tlsPort}/default?pkipath=${pki.good}`, 'list', '--all'), local, 'a client with a certificate from the CA is served');
  t.same(virsh('-c', `test+tcp://localhost:${tcpPort}/default`, 'list', '--all'), local, 'plain TCP');

  for (const [what, dir] of [['a certificate from another CA', pki.rogue], ['no certificate', pki.none]] as const) {
    await t.rejects(open(`test+tls://localhost:${tlsPort}/default?pkipath=${dir}`), VirError, `a client with ${what} is refused`);
  }
  t.same(virsh('-c', `test+tls://localhost:${tlsPort}/default?pkipath=${pki.good}`, 'domstate', 'test'), { out: 'running\n\n', err: '', rc: 0 }, 'the daemon serves on after refusals');
});
