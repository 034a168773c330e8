import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { formatDomainXml, parseDomainXml } from '../src/entry-points/xml.js';

// The formatter writes a domain's secrets (graphics passwords, network-disk cookies)
// only when asked to, as libvirt writes them only with VIR_DOMAIN_XML_SECURE.

const FIXTURE = new URL('./fixtures/domain-with-secrets.xml', import.meta.url).pathname;
const SECRETS = ['VNCPASS', 'SPICEPASS', 'SECRETCOOKIE', 'BACKINGCOOKIE'];
const def = parseDomainXml(readFileSync(FIXTURE, 'utf8'));

/**
 * The lines of `secure` that `plain` lacks and the reverse: what the flag changes. An
 * element's end is left out: libvirt gives <graphics> children of defaults that are
 * not this test's concern.
 */
const changes = (plain: string, secure: string) => {
  const lines = (x: string) => x.split('\n').map((l) => l.replace(/\/?>$/, ''));
  const a = lines(plain);
  const b = lines(secure);
  return { dropped: b.filter((l) => !a.includes(l)), changed: a.filter((l) => !b.includes(l)) };
};

t.test('without secure, no password or cookie is written; with it, all are', async (t) => {
  for (const opts of [{ inactive: true }, { id: 4 }, {}]) {
    const plain = formatDomainXml(def, { ...opts, secure: false });
    const secure = formatDomainXml(def, { ...opts, secure: true });
    for (const s of SECRETS) {
      t.notMatch(plain, s, `${JSON.stringify(opts)}: ${s} is not written`);
      t.match(secure, s, `${JSON.stringify(opts)}: ${s} is written with secure`);
    }
    t.match(plain, /<graphics type='vnc' port='-1' autoport='yes' passwdValidTo='2030-01-01T00:00:00' connected='keep'/, 'the rest of the element stays');
  }
});

const LIBVIRT_VIRSH = '/usr/bin/virsh';
t.test('the flag changes exactly what it changes in libvirt 9.0', { skip: existsSync(LIBVIRT_VIRSH) ? false : 'needs libvirt\'s virsh (Debian: libvirt-clients)' }, async (t) => {
  const dump = (extra: string) => spawnSync(LIBVIRT_VIRSH, ['-c', 'test:///default', `define ${FIXTURE}; dumpxml sec --inactive ${extra}`], { encoding: 'utf8' });
  const [plain, secure] = [dump(''), dump('--security-info')];
  t.equal(plain.status, 0, plain.stderr);
  const theirs = changes(plain.stdout, secure.stdout.replace(/<uuid>.*<\/uuid>/, plain.stdout.match(/<uuid>.*<\/uuid>/)![0]));
  const ours = changes(formatDomainXml(def, { inactive: true, secure: false }), formatDomainXml(def, { inactive: true, secure: true }));
  t.ok(theirs.dropped.length >= 8, 'libvirt drops the secrets');
  t.strictSame(ours, theirs);
});
