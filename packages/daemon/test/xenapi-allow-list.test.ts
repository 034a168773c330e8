// A client may have the root daemon connect to a XenAPI host only where an administrator
// allowed it (tsvirtd --allow-xenapi URI): the same host, port, user and parameters. Any
// other xenapi:// URI is refused with VIR_ERR_OPERATION_DENIED before the daemon sends a
// byte anywhere. A real tsvirtd, a real unix socket, and the XenAPI simulator from the
// development tools beside the repository (skipped when they are absent).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, open, type VirError } from '@tsvirt/core';
import t from 'tap';
import { freePort, startDaemon } from './fixtures/daemon-harness.js';

const SIM = new URL('../../../../shared/tools/xen/xapi-sim.py', import.meta.url).pathname;
const noSim = existsSync(SIM) ? false : `${SIM} is absent (the development tools beside the repository)`;

const failure = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return 'no error';
  } catch (e) {
    return e as VirError;
  }
};

/** A TCP listener that only counts who connects: a host the daemon must never reach. */
async function trap(t: Tap.Test): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  const srv = net.createServer((s) => { n++; s.destroy(); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
  return { port: (srv.address() as net.AddressInfo).port, connections: () => n };
}

async function startSim(t: Tap.Test): Promise<number> {
  const port = await freePort();
  const proc: ChildProcess = spawn('python3', [SIM, String(port)], { stdio: 'ignore' });
  t.teardown(() => { proc.kill(); });
  for (let i = 0; ; i++) {
    const up = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.once('error', () => r(false)); });
    if (up) return port;
    if (i > 600) throw new Error('the XenAPI simulator did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('tsvirtd --allow-xenapi', { skip: noSim }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirtd-xenapi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const simPort = await startSim(t);
  const decoy = await trap(t);
  const allowed = `xenapi://127.0.0.1:${simPort}/?tls=0`;
  // the daemon's credentials: every host the tests name has a password, so that only the allow-list decides
  const authFile = path.join(dir, 'auth.conf');
  writeFileSync(authFile, `[credentials-sim]\nusername=root\npassword=secret\n[auth-xenapi-127.0.0.1]\ncredentials=sim\n[auth-xenapi-localhost]\ncredentials=sim\n`);
  const daemon = await startDaemon(['--allow-xenapi', allowed], undefined, { env: { LIBVIRT_AUTH_FILE: authFile } });
  t.teardown(() => daemon.stop());
  const through = (socket: string, uri: string) => open(`xenapi+unix:///?socket=${socket}&name=${encodeURIComponent(uri)}`);

  for (const [uri, what] of [[allowed, 'as allowed'], [`xenapi://127.0.0.1:${simPort}?tls=0`, 'without the trailing slash']]) {
    const conn = await through(daemon.rw, uri);
    const names = (await conn.listAllDomains(0)).map((d) => d.name).sort();
    t.same(names, ['Control domain on host: sim-host', 'db01', 'web01'], `an allowed host, ${what}: the daemon connects and lists its VMs`);
    await conn.close();
  }
  const ro = await through(daemon.ro, allowed);
  t.equal((await ro.lookupDomainByName('db01')).name, 'db01', 'from the read-only socket too');
  await ro.close();

  const refused = [
    [`xenapi://127.0.0.1:${decoy.port}/?tls=0`, 'another port'],
    [`xenapi://localhost:${decoy.port}/?tls=0`, 'another host'],
    [`xenapi://127.0.0.1:${decoy.port}/`, 'TLS, on another port'],
    [`xenapi://other@127.0.0.1:${simPort}/?tls=0`, 'another user'],
    [`xenapi://127.0.0.1:${simPort}/?tls=0&no_verify=1`, 'other parameters'],
    [`xenapi://127.0.0.1:${simPort}/`, 'TLS instead of plain HTTP'],
  ];
  for (const [uri, what] of refused) {
    for (const socket of [daemon.rw, daemon.ro]) {
      t.match(await failure(() => through(socket, uri)), {
        code: ErrorNumber.OPERATION_DENIED, domain: ErrorDomain.RPC,
        message: /^operation forbidden: this daemon connects only to the XenAPI hosts its administrator allowed \(tsvirtd --allow-xenapi URI\), not 'xenapi:/,
      }, `${what}: refused (${socket === daemon.rw ? 'read-write' : 'read-only'} socket)`);
    }
  }
  t.equal(decoy.connections(), 0, 'no refused URI made the daemon connect anywhere');
});

t.test('a daemon without --allow-xenapi connects to no XenAPI host', async (t) => {
  const decoy = await trap(t);
  const daemon = await startDaemon();
  t.teardown(() => daemon.stop());
  t.match(await failure(() => open(`xenapi+unix:///?socket=${daemon.rw}&name=${encodeURIComponent(`xenapi://127.0.0.1:${decoy.port}/?tls=0`)}`)), {
    code: ErrorNumber.OPERATION_DENIED, domain: ErrorDomain.RPC,
  });
  t.equal(decoy.connections(), 0, 'nothing reached the host');
});

t.test('--allow-xenapi takes only a xenapi:// URI naming a host', async (t) => {
  for (const bad of ['qemu:///system', 'xenapi:///', 'xenapi+ssh://h/', 'not a uri']) {
    await t.rejects(startDaemon(['--allow-xenapi', bad]), /--allow-xenapi: '.*' is not a/, bad);
  }
});
