// The connection-closed notification with its reason (virConnectRegisterCloseCallback,
// virConnectCloseReason), and its promise form whenClosed(), against a real tsvirtd
// that is killed (EOF), that stops answering keepalive pings (KEEPALIVE), and a client
// that closes (CLIENT).

import t from 'tap';
import { ConnectCloseReason, ErrorDomain, ErrorNumber, open, type Connect } from '@tsvirt/core';
import { startDaemon } from './fixtures/daemon-harness.js';

const uri = (sock: string, extra = '') => `test+unix:///default?socket=${sock}${extra}`;

/** Every reason the callback hears, in order. */
async function recordCloses(conn: Connect): Promise<ConnectCloseReason[]> {
  const reasons: ConnectCloseReason[] = [];
  await conn.registerCloseCallback((reason) => reasons.push(reason));
  return reasons;
}

t.test('a killed daemon: EOF, then CLIENT when the application closes', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const conn = await open(uri(d.rw));
  const reasons = await recordCloses(conn);
  const closed = conn.whenClosed();
  t.equal(await conn.getType(), 'TEST');
  d.proc.kill('SIGKILL');
  t.equal(await closed, ConnectCloseReason.EOF, 'whenClosed() resolves with EOF');
  t.same(reasons, [ConnectCloseReason.EOF], 'the callback was told EOF');
  t.equal(await conn.isAlive(), false);
  await conn.close();
  t.same(reasons, [ConnectCloseReason.EOF, ConnectCloseReason.CLIENT], 'and CLIENT on close()');
});

t.test('a daemon that stops answering: KEEPALIVE', async (t) => {
  const d = await startDaemon(['--keepalive-interval', '0']);
  t.teardown(() => { d.proc.kill('SIGCONT'); return d.stop(); });
  const conn = await open(uri(d.rw, '&keepalive_interval=1&keepalive_count=1'));
  const reasons = await recordCloses(conn);
  d.proc.kill('SIGSTOP');
  t.equal(await conn.whenClosed(), ConnectCloseReason.KEEPALIVE);
  t.same(reasons, [ConnectCloseReason.KEEPALIVE]);
  d.proc.kill('SIGCONT');
  await conn.close();
});

t.test('the application closes: CLIENT, and an event loop ends with it', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const conn = await open(uri(d.rw));
  const reasons = await recordCloses(conn);
  const closed = conn.whenClosed();
  let loopEnded = false;
  const loop = (async () => {
    for await (const _ of conn.events()) { /* nothing happens */ }
    loopEnded = true;
  })();
  await new Promise((r) => setTimeout(r, 50));
  await conn.close();
  t.equal(await closed, ConnectCloseReason.CLIENT);
  t.same(reasons, [ConnectCloseReason.CLIENT], 'told once');
  await loop;
  t.ok(loopEnded, 'the for await loop over the closed connection ended');
  await t.rejects(conn.whenClosed(), { code: ErrorNumber.INVALID_CONN }, 'a closed connection refuses, as every call does');
});

t.test('registrations as libvirt checks them; the signal gives whenClosed() up', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const conn = await open(uri(d.rw));
  t.teardown(() => conn.close());
  const heard: ConnectCloseReason[] = [];
  const callback = (reason: ConnectCloseReason) => heard.push(reason);
  await conn.registerCloseCallback(callback);
  await t.rejects(conn.registerCloseCallback(callback), {
    code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.REMOTE, message: 'Requested operation is not valid: A close callback is already registered',
  });
  await t.rejects(conn.unregisterCloseCallback(() => undefined), {
    code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.REMOTE, message: 'Requested operation is not valid: A different callback was requested',
  });
  await t.rejects(conn.registerCloseCallback('no' as never), { code: ErrorNumber.INVALID_ARG, message: /callback in virConnectRegisterCloseCallback must be a function/ });
  await conn.unregisterCloseCallback(callback);

  const stop = new AbortController();
  const given = conn.whenClosed({ signal: stop.signal });
  stop.abort();
  await t.rejects(given, { code: ErrorNumber.OPERATION_ABORTED, message: 'operation aborted: whenClosed: canceled by client' });
  await t.rejects(conn.whenClosed({ signal: AbortSignal.abort() }), { code: ErrorNumber.OPERATION_ABORTED }, 'an aborted signal: at once');

  d.proc.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  t.same(heard, [], 'an unregistered callback is not told');
});
