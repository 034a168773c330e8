import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { open, VirError } from '@tsvirt/core';
import { TSVIRTD, freePort } from '../../daemon/test/fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki } from '../../daemon/test/fixtures/test-pki.js';
import { noSshd, startSshd } from '../../daemon/test/fixtures/test-sshd.js';
import { makeTestUser, noUseradd, type TestUser } from '../../daemon/test/fixtures/test-user.js';
import { generatedBindings, root, runScript, startTsvirtd } from './fixtures/run-script.js';

// Remote URIs from the bindings, side by side with tsvirt's TypeScript remote driver: for
// each URI the same connection, listing and write, or the same error (code, domain, words).
const checks = fileURLToPath(new URL('./fixtures/checks/', import.meta.url));
const XML = "<domain type='test'><name>reached</name><memory>65536</memory><os><type>hvm</type></os></domain>";

/** What tsvirt's own remote driver sees for each URI, in reach.py's words. */
async function reachFromTypeScript(uris: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const uri of uris) {
    const conn = await open(uri).catch((e: VirError) => e);
    if (conn instanceof VirError) {
      lines.push(`err ${conn.code} ${conn.domain} ${conn.message}`);
      continue;
    }
    const names = (await conn.listAllDomains()).map((d) => d.name).sort();
    const wrote = await conn.defineDomainXML(XML).then((d) => d.undefine()).then(() => 'ok', (e: VirError) => String(e.code));
    lines.push(`ok ${names.join(',')} write ${wrote}`);
    await conn.close();
  }
  return lines;
}

function reach(cmd: string, uris: string[]): string[] {
  const r = runScript(cmd, [join(checks, cmd === 'perl' ? 'reach.pl' : 'reach.py'), ...uris], generatedBindings);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n');
}

const pki = hasOpenssl ? makeTestPki() : null;
t.teardown(() => { if (pki) rmSync(pki.dir, { recursive: true, force: true }); });

t.test('Python and Perl over +tls and +tcp: certificates checked both ways, as the TypeScript remote driver does', { skip: !pki && 'openssl is not installed' }, async (t) => {
  const [tls, tcp, closed] = [await freePort(), await freePort(), await freePort()];
  await startTsvirtd(t, ['--listen', `tls://127.0.0.1:${tls}`, '--tls-cert', pki!.server.cert, '--tls-key', pki!.server.key, '--tls-ca', pki!.server.ca,
    '--listen', `tcp://127.0.0.1:${tcp}`]);
  const uris = [
    `test+tls://localhost:${tls}/default?pkipath=${pki!.good}`,
    `test+tls://127.0.0.1:${tls}/default?pkipath=${pki!.good}`,
    `test+tls://localhost:${tls}/default?pkipath=${pki!.none}`,
    `test+tls://localhost:${tls}/default?pkipath=${pki!.rogue}`,
    `test+tls://localhost:${tls}/default?pkipath=${pki!.wrongCa}`,
    `test+tls://localhost:${tls}/default?pkipath=${join(pki!.dir, 'nowhere')}`,
    `test+tls://localhost:${closed}/default?pkipath=${pki!.good}`,
    `test+tcp://localhost:${tcp}/default`,
  ];
  const theirs = await reachFromTypeScript(uris);
  t.match(theirs[0], /^ok test write ok$/, 'a client with a certificate of the CA reads and writes');
  t.match(theirs[2], /^err 45 /, 'one without a certificate is refused by the daemon');
  t.match(theirs[4], /the server's certificate was refused/, 'a server certificate of another CA is refused by the client');
  t.strictSame(reach('python3', uris), theirs, 'Python sees what TypeScript sees, URI by URI');
  // Perl has no TLS of its own: tsvirtd --relay opens the connection for it, with the same checks.
  t.strictSame(reach('perl', uris), theirs, 'Perl sees what TypeScript sees, URI by URI');
});

t.test('Python and Perl over +ssh: a real sshd runs tsvirtd --stdio on the far side, as for the TypeScript remote driver', { skip: noSshd }, async (t) => {
  const { port, key } = await startSshd(t);
  // The far side runs this checkout's daemon; a real install has tsvirtd on PATH (the default command).
  const command = (extra: string) => encodeURIComponent(`exec ${process.execPath} ${TSVIRTD} --stdio${extra}`);
  const base = `test+ssh://root@127.0.0.1:${port}/default?keyfile=${key}&no_verify=1&known_hosts=/dev/null`;
  const uris = [`${base}&command=${command('')}`, `${base}&command=${command(' --read-only')}`, `${base.replace(key, `${key}.absent`)}&command=${command('')}`];
  const theirs = await reachFromTypeScript(uris);
  t.match(theirs[0], /^ok test write ok$/);
  t.match(theirs[1], /^ok test write 29$/, 'a read-only far side refuses the write');
  t.match(theirs[2], /^err 38 7 End of file/, 'a key sshd does not know: ssh gives up, the stream ends');
  t.strictSame(reach('python3', uris), theirs, 'Python sees what TypeScript sees');
  t.strictSame(reach('perl', uris), theirs, 'Perl sees what TypeScript sees');
});

/** A user's environment: its own home and runtime folder, where its tsvirtd puts its sockets by default. */
const userEnv = (user: TestUser) => ({
  PATH: process.env.PATH, HOME: user.home, XDG_RUNTIME_DIR: user.home, XDG_CONFIG_HOME: join(user.home, 'config'), ...generatedBindings,
});

function discoverAs(user: TestUser, cmd: string): string[] {
  // Through env(1): tap adds its loaders to a child's NODE_OPTIONS, which must not reach tsvirtd.
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', cmd, join(checks, cmd === 'perl' ? 'discover.pl' : 'discover.py')],
    { encoding: 'utf8', uid: user.uid, gid: user.gid, env: userEnv(user), timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n');
}

t.test('a local URI finds the user\'s running tsvirtd on its default socket, as the TypeScript remote driver does, and else starts its own', { skip: noUseradd }, async (t) => {
  const user = makeTestUser(t);
  const sockets = join(user.home, 'tsvirt');
  for (const cmd of ['python3', 'perl']) {
    t.strictSame(discoverAs(user, cmd), [
      `second connection sees: ${cmd === 'perl' ? 'test' : "['test']"}`,
      `read-only sees: ${cmd === 'perl' ? 'test' : "['test']"}`,
      'read-only write: 29',
      `test+unix: 38 7 Failed to connect socket to '${join(sockets, 'tsvirt-sock')}': No such file or directory`,
    ], `${cmd} with no daemon running: each connection starts its own tsvirtd --stdio; test+unix names the socket it could not reach`);
  }
  const daemon = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, join(root, 'packages/daemon/bin/tsvirtd')],
    { stdio: 'ignore', uid: user.uid, gid: user.gid, env: userEnv(user) });
  t.teardown(() => { daemon.kill('SIGTERM'); });
  for (let i = 0; i < 400 && !existsSync(join(sockets, 'tsvirt-sock')); i++) await new Promise((r) => setTimeout(r, 50));
  for (const cmd of ['python3', 'perl']) {
    const both = cmd === 'perl' ? 'discovered,test' : "['discovered', 'test']";
    t.strictSame(discoverAs(user, cmd), [
      `second connection sees: ${both}`,
      `read-only sees: ${both}`,
      'read-only write: 29',
      `test+unix sees: ${cmd === 'perl' ? 'test' : "['test']"}`,
    ], `${cmd} with the user's tsvirtd running: every connection reaches it, read-only ones on its read-only socket`);
  }
});
