import { rmSync } from 'node:fs';
import t from 'tap';
import { ErrorNumber, open, VirError } from '@tsvirt/core';
import { freePort, startDaemon, virsh } from './fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki, type TestPki } from './fixtures/test-pki.js';

const noOpenssl = !hasOpenssl && 'openssl is not installed (apt-get install openssl)';
const DEFINE = "<domain type='test'><name>net-written</name><memory>65536</memory><os><type>hvm</type></os></domain>";

function pki(t: Tap.Test): TestPki {
  const p = makeTestPki();
  t.teardown(() => rmSync(p.dir, { recursive: true, force: true }));
  return p;
}

const tlsArgs = (p: TestPki, port: number) => ['--listen', `tls://127.0.0.1:${port}`, '--tls-cert', p.server.cert, '--tls-key', p.server.key, '--tls-ca', p.server.ca];

/** Whether the client at `uri` may write: a define, undone at once. */
async function writes(uri: string): Promise<boolean | VirError> {
  const c = await open(uri);
  try {
    await (await c.defineDomainXML(DEFINE)).undefine();
    return true;
  } catch (e) {
    if ((e as VirError).code === ErrorNumber.OPERATION_DENIED) return false;
    return e as VirError;
  } finally {
    await c.close();
  }
}

t.test('TLS with client certificates checked, and plain TCP read-only', { skip: noOpenssl }, async (t) => {
  const p = pki(t);
  const [tlsPort, tcpPort] = [await freePort(), await freePort()];
  const daemon = await startDaemon([...tlsArgs(p, tlsPort), '--listen', `tcp://127.0.0.1:${tcpPort}`]);
  t.teardown(() => daemon.stop());
  const local = virsh('-c', 'test:///default', 'list', '--all');
  t.equal(local.rc, 0);

  t.same(virsh('-c', `test+tls://localhost:${tlsPort}/default?pkipath=${p.good}`, 'list', '--all'), local, 'a client with a certificate from the CA is served');
  t.equal(await writes(`test+tls://localhost:${tlsPort}/default?pkipath=${p.good}`), true, 'and may write');
  t.same(virsh('-c', `test+tcp://localhost:${tcpPort}/default`, 'list', '--all'), local, 'plain TCP reads');
  t.equal(await writes(`test+tcp://localhost:${tcpPort}/default`), false, 'plain TCP never writes: it has not authenticated');
  const denied = virsh('-c', `test+tcp://localhost:${tcpPort}/default`, 'define', '/dev/null');
  t.not(denied.rc, 0);

  const refusals = [
    ['a certificate from another CA', p.rogue, "authentication failed: the client certificate 'CN=rogueclient' was refused: it is not signed by the daemon's CA (--tls-ca)"],
    ['no certificate', p.none, 'authentication failed: the daemon requires a client certificate and none was given'],
  ] as const;
  for (const [what, dir, message] of refusals) {
    const refused = await open(`test+tls://localhost:${tlsPort}/default?pkipath=${dir}`).then(() => null, (e: VirError) => e);
    t.match(refused, { code: ErrorNumber.AUTH_FAILED }, `a client with ${what} is refused`);
    t.equal(refused?.message, message, 'and told why');
    // The log line is written as the reply leaves: it may arrive just after it.
    for (let i = 0; i < 40 && !daemon.stderr().includes(message); i++) await new Promise((r) => setTimeout(r, 50));
    t.match(daemon.stderr(), new RegExp(`tsvirtd: refused client \\d+ \\(127\\.0\\.0\\.1:\\d+\\): ${message.replace(/[()?.*]/g, '\\$&')}`), `the daemon logs it: ${message}`);
  }
  const r = virsh('-c', `test+tls://localhost:${tlsPort}/default?pkipath=${p.rogue}`, 'list');
  t.match(r.err, /authentication failed: the client certificate 'CN=rogueclient' was refused/, 'virsh prints the reason, not "End of file"');
  await t.rejects(open(`test+tls://localhost:${tlsPort}/default?pkipath=${p.wrongCa}`),
    { code: ErrorNumber.SYSTEM_ERROR, message: new RegExp(`^unable to connect to server at 'localhost:${tlsPort}': the server's certificate was refused: `) },
    'a client that does not trust the server says it was the server\'s certificate');
  t.same(virsh('-c', `test+tls://localhost:${tlsPort}/default?pkipath=${p.good}`, 'domstate', 'test'), { out: 'running\n\n', err: '', rc: 0 }, 'the daemon serves on after refusals');
});

t.test('--tls-allowed-dn: only listed certificate names may write; the others are refused, or read-only if so configured', { skip: noOpenssl }, async (t) => {
  const p = pki(t);
  const port = await freePort();
  const strict = await startDaemon([...tlsArgs(p, port), '--tls-allowed-dn', 'CN=adm?n', '--tls-allowed-dn', 'O=nobody,*']);
  t.equal(await writes(`test+tls://localhost:${port}/default?pkipath=${p.admin}`), true, 'CN=admin matches CN=adm?n and writes');
  const refused = await open(`test+tls://localhost:${port}/default?pkipath=${p.good}`).then(() => null, (e: VirError) => e);
  t.equal(refused?.message, "authentication failed: the client certificate's name 'CN=client' is not on the list of allowed clients (--tls-allowed-dn)",
    'CN=client is refused, and told why');
  await strict.stop();

  const port2 = await freePort();
  const lenient = await startDaemon([...tlsArgs(p, port2), '--tls-allowed-dn', 'CN=admin', '--tls-others-read-only']);
  t.teardown(() => lenient.stop());
  t.equal(await writes(`test+tls://localhost:${port2}/default?pkipath=${p.admin}`), true, 'the listed name writes');
  t.equal(await writes(`test+tls://localhost:${port2}/default?pkipath=${p.good}`), false, 'another verified name reads only');
  await t.rejects(open(`test+tls://localhost:${port2}/default?pkipath=${p.rogue}`), { code: ErrorNumber.AUTH_FAILED }, 'an unverified one is still refused');
});

t.test('network listeners that would let anyone in are refused at start', async (t) => {
  const port = await freePort();
  const cases = [
    [['--listen', `tcp://0.0.0.0:${port}`], /tcp:\/\/0\.0\.0\.0:\d+ is not a loopback address: plain TCP has no authentication/],
    [['--listen', `tls://127.0.0.1:${port}`, '--tls-cert', '/x', '--tls-key', '/y'], /a tls:\/\/ listener needs --tls-ca to check client certificates/],
  ] as const;
  for (const [args, message] of cases) await t.rejects(startDaemon([...args]), message, args.join(' '));
});
