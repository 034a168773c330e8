import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort, startDaemon } from './fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki } from './fixtures/test-pki.js';

// libvirt 9.0's virsh over TLS to tsvirtd (libvirt's REMOTE program): a client with a
// certificate from the daemon's CA reads and writes as on the read-write socket; one
// whose certificate another CA signed gets no further than the handshake.

const VIRSH = '/usr/bin/virsh';
const missing = !existsSync(VIRSH) ? "libvirt's virsh is not installed (apt-get install libvirt-clients)" : !hasOpenssl ? 'openssl is not installed' : false;

t.test("libvirt's virsh over TLS", { skip: missing }, async (t) => {
  const pki = makeTestPki();
  const dir = mkdtempSync(join(tmpdir(), 'libvirt-tls-'));
  t.teardown(() => {
    rmSync(pki.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const daemon = await startDaemon(['--listen', `tls://127.0.0.1:${port}`, '--tls-cert', pki.server.cert, '--tls-key', pki.server.key, '--tls-ca', pki.server.ca]);
  t.teardown(() => daemon.stop());
  const xml = join(dir, 'tls1.xml');
  writeFileSync(xml, "<domain type='test'><name>tls1</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n");
  const env = { ...process.env, LIBVIRT_DEFAULT_URI: '', HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir };
  const virsh = (uri: string, commands: string) => {
    const r = spawnSync(VIRSH, ['-c', uri, commands], { encoding: 'utf8', env, timeout: 60_000 });
    return { out: r.stdout.replace(/^(CPU time:\s+)\S+/m, '$1N'), err: r.stderr, rc: r.status };
  };
  const tls = (pkipath: string) => `test+tls://localhost:${port}/default?pkipath=${pkipath}`;
  const unix = `test+unix:///default?socket=${daemon.rw}`;

  const reads = 'list --all; dominfo test; schedinfo test';
  t.same(virsh(tls(pki.good), reads), virsh(unix, reads), 'reads as on the unix socket');
  const writes = `define ${xml}; start tls1; destroy tls1; undefine tls1`;
  const written = virsh(tls(pki.good), writes);
  t.equal(written.rc, 0, written.err);
  t.match(written.out, /Domain 'tls1' has been undefined/);
  const rogue = virsh(tls(pki.rogue), 'list');
  t.not(rogue.rc, 0, 'a certificate from another CA is refused');
  t.match(rogue.err, /error: failed to connect to the hypervisor/);
});
