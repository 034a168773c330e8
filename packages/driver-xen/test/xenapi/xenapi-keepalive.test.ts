// A XenAPI connection's calls share one kept-alive HTTP connection, renewed when the
// host has closed it; a host that vanishes, stalls or answers garbage on a kept
// connection gives libvirt-coded errors, never a hang or a call made twice. The
// simulator sits behind a TCP relay of this test that counts and cuts connections;
// the hosts that misbehave are stand-ins (raw TCP servers in this test), as named.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t, { type Test } from 'tap';
import { driver } from '../../src/driver.js';
import { XenApiClient } from '../../src/xenapi/xenapi-client.js';
import { failure } from '../fixtures/failure.js';
import { startXapiSim, xapiSimMissing } from '../fixtures/xen-tools.js';

const clientFor = (port: number, timeoutMs = 5000) =>
  new XenApiClient({ endpoint: { host: '127.0.0.1', port, tls: false, noVerify: false }, user: 'root', password: 'secret', timeoutMs, protocol: 'jsonrpc' });

/** A TCP relay to `target`: how many connections it was given, and a way to cut them all (as a host's idle timeout does). */
async function relay(t: Test, target: number) {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const srv = net.createServer((down) => {
    accepted++;
    const up = net.connect(target, '127.0.0.1');
    open.add(down);
    down.pipe(up).pipe(down);
    const end = () => { down.destroy(); up.destroy(); open.delete(down); };
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { for (const s of open) s.destroy(); srv.close(() => r()); }));
  return {
    port: (srv.address() as net.AddressInfo).port,
    accepted: () => accepted,
    openNow: () => open.size,
    async cutAll() {
      for (const s of open) s.end();
      while (open.size) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

/** A raw TCP stand-in host: `answer` gets each connection, the number of the request on it and in all, and its JSON-RPC id. */
async function rawHost(t: Test, answer: (sock: net.Socket, requestOnConnection: number, total: number, id: number) => void) {
  let total = 0;
  const open = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.on('error', () => undefined);
    let n = 0;
    let buf = '';
    sock.on('data', (d) => {
      buf += d;
      // one request per Content-Length'd body
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0);
        if (buf.length < head + 4 + len) return;
        const body = buf.slice(head + 4, head + 4 + len);
        buf = buf.slice(head + 4 + len);
        answer(sock, ++n, ++total, (JSON.parse(body) as { id: number }).id);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { for (const s of open) s.destroy(); srv.close(() => r()); }));
  return { port: (srv.address() as net.AddressInfo).port, total: () => total };
}

const okReply = (id: number, result: unknown) => {
  const body = JSON.stringify({ jsonrpc: '2.0', id, result });
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

t.test('with the simulator', { skip: xapiSimMissing() }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xenapi-keepalive-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const callLog = path.join(dir, 'calls.log');
  const { port: simPort } = await startXapiSim(t, callLog);
  const r = await relay(t, simPort);
  const c = clientFor(r.port);
  t.teardown(() => c.close());

  await c.login();
  for (let i = 0; i < 20; i++) await c.call('VM.get_all');
  t.equal(r.accepted(), 1, 'a login and 20 calls, one after another: one connection');

  await c.call('VM.get_all');
  await r.cutAll();
  const web01 = ((await c.call('VM.get_by_name_label', ['web01'])) as string[])[0];
  t.equal(r.accepted(), 2, 'the host closed the kept connection: the next call went on a new one');

  await r.cutAll();
  await c.call('VM.start', [web01, false, false]);
  const starts = readFileSync(callLog, 'utf8').split('\n').filter((l) => l.includes(' VM.start '));
  t.same(starts.map((l) => l.replace(/^\S+ /, '')), ['VM.start nparams=4 -> ok'], 'a call after a cut connection reached the host once');

  await Promise.all(Array.from({ length: 4 }, () => c.call('VM.get_all')));
  t.ok(r.accepted() <= 7, `4 calls at once take at most 4 connections (${r.accepted()} in all)`);

  t.ok(r.openNow() > 0, 'idle connections are kept open');
  await c.close();
  const deadline = Date.now() + 5000;
  while (r.openNow() > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  t.equal(r.openNow(), 0, 'closing the client closes its kept connections');
});

t.test('through the public API: one connection with ?keepalive=1, one per call with ?keepalive=0 and by default over plain HTTP', { skip: xapiSimMissing() }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xenapi-keepalive-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'auth.conf'), '[credentials-sim]\nusername=root\npassword=secret\n[auth-xenapi-127.0.0.1]\ncredentials=sim\n');
  process.env.LIBVIRT_AUTH_FILE = path.join(dir, 'auth.conf');
  registerDriver(driver);
  const { port: simPort } = await startXapiSim(t);
  for (const [query, expected] of [['&keepalive=1', (n: number) => n === 1], ['&keepalive=0', (n: number) => n >= 11], ['', (n: number) => n >= 11]] as const) {
    const r = await relay(t, simPort);
    const conn = await open(`xenapi://127.0.0.1:${r.port}/?tls=0&protocol=jsonrpc${query}`, { localOnly: true });
    for (let i = 0; i < 5; i++) await (await conn.lookupDomainByName('db01')).getInfo();
    await conn.close();
    t.ok(expected(r.accepted()), `login, 5 lookups and getInfos${query ? ` with ${query.slice(1)}` : ' (plain HTTP, no keepalive parameter)'}: ${r.accepted()} connection(s)`);
  }
  t.match(await failure(() => open('xenapi://127.0.0.1/?tls=0&keepalive=yes', { localOnly: true })), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.XENAPI, message: /keepalive must be 0 or 1, not 'yes'/ });
});

t.test('a host that vanishes with a kept connection open', { skip: xapiSimMissing() }, async (t) => {
  const { port, proc } = await startXapiSim(t);
  const c = clientFor(port, 2000);
  t.teardown(() => c.close());
  await c.call('VM.get_all');
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
  const started = Date.now();
  t.match(await failure(() => c.call('VM.get_all')), {
    code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.XENAPI, message: /unable to reach the XenAPI host at 127.0.0.1:\d+: Connection refused/,
  });
  t.ok(Date.now() - started < 2000, `gave up after ${Date.now() - started} ms`);
});

t.test('stand-in hosts that misbehave on a kept connection', async (t) => {
  t.test('closes every kept connection as a request arrives: one retry on a new connection, then an error', async (t) => {
    const host = await rawHost(t, (sock, _n, total, id) => {
      if (total === 1) sock.write(okReply(id, 'OpaqueRef:s'));
      else sock.destroy();
    });
    const c = clientFor(host.port);
    t.teardown(() => c.close());
    await c.login();
    t.match(await failure(() => c.call('VM.get_all')), { code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.XENAPI, message: /unable to reach the XenAPI host at 127.0.0.1:\d+: / });
    t.equal(host.total(), 3, 'login, the call on the kept connection, the call once more on a new one: no more');
  });

  t.test('answers garbage on the kept connection', async (t) => {
    const host = await rawHost(t, (sock, n, _total, id) => sock.write(n === 1 ? okReply(id, 'OpaqueRef:s') : 'garbage garbage\r\n\r\n'));
    const c = clientFor(host.port);
    t.teardown(() => c.close());
    await c.login();
    t.match(await failure(() => c.call('VM.get_all')), { code: ErrorNumber.RPC, domain: ErrorDomain.XENAPI, message: /the XenAPI host at 127.0.0.1:\d+ answered with what is not HTTP/ });
  });

  t.test('stalls on the kept connection: a timeout, then a new connection for the next call', async (t) => {
    let connections = 0;
    const host = await rawHost(t, (sock, n, total, id) => {
      if (n === 1) connections++;
      if (total !== 2) sock.write(okReply(id, total === 1 ? 'OpaqueRef:s' : []));
    });
    const c = clientFor(host.port, 300);
    t.teardown(() => c.close());
    await c.login();
    const started = Date.now();
    t.match(await failure(() => c.call('VM.get_all')), { code: ErrorNumber.OPERATION_TIMEOUT, domain: ErrorDomain.XENAPI, message: /did not answer within 0.3 s/ });
    t.ok(Date.now() - started < 3000, `gave up after ${Date.now() - started} ms`);
    t.same(await c.call('VM.get_all'), [], 'the next call is answered');
    t.equal(connections, 2, 'on a new connection (the stalled one was dropped)');
  });
});
