// libvirt's keepalive program between tsvirt's client and a real libvirtd: each side pings
// the other when it has heard nothing for an interval, and gives up a silent peer.
import t from 'tap';
import { ErrorDomain, ErrorNumber, open } from '../../src/index.js';
import { libvirtdMissing, startPrivateLibvirtd } from '../fixtures/private-libvirtd.js';

const missing = libvirtdMissing();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('an idle client answers libvirtd\'s pings and keeps its session past libvirtd\'s keepalive timeout', { skip: missing }, async (t) => {
  const daemon = await startPrivateLibvirtd({ config: ['keepalive_interval = 1', 'keepalive_count = 1'] });
  t.teardown(() => daemon.stop());
  // this side never pings: only libvirtd's pings and this side's answers cross the link
  const conn = await open(daemon.unixUri(), { keepalive: { interval: 0, count: 0 } });
  t.teardown(() => conn.close());
  await sleep(4000);
  t.equal(await conn.isAlive(), true);
  t.equal((await conn.lookupDomainByName('test')).name, 'test');
});

t.test('a libvirtd that stops answering is given up: calls under way fail with libvirt\'s keepalive error, no hang', { skip: missing }, async (t) => {
  const daemon = await startPrivateLibvirtd();
  t.teardown(() => daemon.stop());
  const conn = await open(daemon.unixUri(), { keepalive: { interval: 1, count: 2 } });
  const pid = daemon.pid();
  process.kill(pid, 'SIGSTOP');
  t.teardown(() => process.kill(pid, 'SIGCONT'));
  const started = Date.now();
  await t.rejects(conn.lookupDomainByName('test'), {
    code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.RPC, message: 'internal error: connection closed due to keepalive timeout',
  });
  const waited = Date.now() - started;
  t.ok(waited >= 2000 && waited < 10000, `given up after about interval × (count + 1) seconds (${waited} ms)`);
  t.equal(await conn.isAlive(), false);
  await conn.close();
});
