// tsvirt's remote driver against a real libvirtd (a private one, started here).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { ErrorDomain, ErrorNumber, open } from '../../src/index.js';
import { libvirtdMissing, startPrivateLibvirtd, type PrivateLibvirtd } from '../fixtures/private-libvirtd.js';

const VIRSH = new URL('../../../virsh/bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, VIRSH, ...args], { encoding: 'utf8' });

const missing = libvirtdMissing();
let daemon: PrivateLibvirtd;
if (missing) t.comment(`skipped: ${missing}`);
else {
  t.before(async () => { daemon = await startPrivateLibvirtd(); });
  t.teardown(() => daemon.stop());
}

t.test('a peer that does not answer in tsvirt\'s program fails the open with a VirError, and virsh says so', { skip: missing }, async (t) => {
  await t.rejects(open(daemon.unixUri()), { code: ErrorNumber.RPC, domain: ErrorDomain.RPC, message: /Unable to decode message payload/ });
  const r = virsh('-c', daemon.unixUri(), 'list');
  t.equal(r.status, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /^error: failed to connect to the hypervisor\nerror: Unable to decode message payload/);
});
