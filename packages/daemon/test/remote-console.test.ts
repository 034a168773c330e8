// virsh console through tsvirtd: the console is a stream (virDomainOpenConsole,
// procedure 201) whose frames follow the call's reply, both ways, over TLS here.
// A real tiny guest boots under TCG; the console is attached while it is paused.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { DomainConsoleFlags, ErrorDomain, ErrorNumber, open } from '@tsvirt/core';
import { consoleRoundTrip, tinyGuest } from '../../driver-qemu/test/fixtures/guest/tiny-guest.js';
import { startupUris } from '../src/driver-startup.js';
import { NODE, VIRSH, freePort, startDaemon, stopAfterDestroying } from './fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki } from './fixtures/test-pki.js';

t.setTimeout(300_000);
const PTY_SESSION = new URL('../../virsh/test/fixtures/pty-session.py', import.meta.url).pathname;
type Step = { expect: string; timeout?: number } | { send: string };

/** virsh on a pty of its own, as a user runs it, driven by steps (this process runs on meanwhile). */
function virshOnPty(steps: Step[], ...args: string[]): Promise<{ screen: string; status: number; missed: string | null }> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [PTY_SESSION, '/usr/bin/env', ...NODE, VIRSH, ...args], { timeout: 300_000 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
    child.stdin!.end(JSON.stringify(steps));
  });
}

// Write access over the network needs a client certificate.
const pki = hasOpenssl ? makeTestPki() : null;
t.teardown(() => { if (pki) rmSync(pki.dir, { recursive: true, force: true }); });
const noPki = !pki && 'openssl is not installed (apt-get install openssl)';

async function tlsDaemon(as?: Parameters<typeof startDaemon>[2]) {
  const port = await freePort();
  const daemon = await startDaemon(['--listen', `tls://127.0.0.1:${port}`, '--tls-cert', pki!.server.cert, '--tls-key', pki!.server.key, '--tls-ca', pki!.server.ca], undefined, as);
  return { daemon, uri: (driver: string, path: string) => `${driver}+tls://localhost:${port}/${path}?pkipath=${pki!.good}` };
}

t.test('virsh console over test+tls: the test driver has no console, as libvirt\'s has none', { skip: noPki }, async (t) => {
  const { daemon, uri } = await tlsDaemon();
  t.teardown(() => daemon.stop());
  const r = await virshOnPty([{ expect: 'error' }], '-c', uri('test', 'default'), 'console', 'test');
  t.match(r.screen, "Connected to domain 'test'");
  t.match(r.screen, 'error: this function is not supported by the connection driver: virDomainOpenConsole');
  t.equal(r.status, 1);
});

const guest = await tinyGuest();

t.test('a real guest\'s console over qemu+tls: both ways, one session at a time unless forced', { skip: noPki || ('skip' in guest ? guest.skip : false) }, async (t) => {
  if ('skip' in guest) return;
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tls = await tlsDaemon({ env: { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') } });
  const daemon = tls.daemon;
  const [scheme, path] = startupUris()[0]!.split(':///');
  const uri = tls.uri(scheme!, path!);
  stopAfterDestroying(t, daemon, uri, 'tiny');
  const conn = await open(uri);
  const dom = await conn.defineDomainXML(`<domain type='qemu'><name>tiny</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${guest.kernel}</kernel><initrd>${guest.initrd}</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <devices><serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console></devices></domain>`);
  await dom.create(1); // paused: the console is attached before the guest prints anything

  const resumed = sleep(1500).then(() => dom.resume());
  // What is typed goes through the daemon to the guest, whose tty echoes it back the same way.
  const session = await virshOnPty(consoleRoundTrip('tiny'), '-c', uri, 'console', 'tiny');
  await resumed;
  t.equal(session.missed, null, `every expected output came (screen: ${JSON.stringify(session.screen.slice(-300))})`);
  t.equal(session.status, 0, 'virsh exits 0 on Ctrl+]');

  // Through the API: a second session is refused while one is open; FORCE takes over.
  const first = await dom.openConsole();
  await t.rejects(dom.openConsole(), { code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.QEMU, message: 'operation failed: Active console session exists for this domain' });
  const firstEnded = new Promise((resolve) => first.once('end', resolve));
  first.resume();
  const second = await dom.openConsole(undefined, DomainConsoleFlags.FORCE);
  await firstEnded;
  t.pass('the forced session ended the first');
  let seen = '';
  second.on('data', (d: Buffer) => { seen += d.toString(); });
  second.write('tsvirt-forced\r');
  const deadline = Date.now() + 30_000;
  while (!seen.includes('tsvirt-forced') && Date.now() < deadline) await sleep(50);
  t.match(seen, 'tsvirt-forced', 'the guest\'s tty echoes what was written to the new session\'s stream');
  await conn.close();
  t.ok(second.destroyed, 'closing the connection ends its streams, quietly');
});
