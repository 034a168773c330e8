// libvirt's keepalive, both ways, with a real daemon and one-second intervals.

import { execFile } from 'node:child_process';
import t from 'tap';
import { ErrorDomain, ErrorNumber, open } from '@tsvirt/core';
import { KeepaliveProcedure, MessageType, Program } from '@tsvirt/core/protocol';
import { NODE, RawClient, VIRSH, startDaemon } from './fixtures/daemon-harness.js';

const uri = (sock: string, extra = '') => `test+unix:///default?socket=${sock}${extra}`;

t.test('the daemon pings a silent client, drops one that never answers, and keeps one that does', async (t) => {
  const d = await startDaemon(['--keepalive-interval', '1', '--keepalive-count', '1']);
  t.teardown(() => d.stop());
  const mute = await RawClient.connect(d.rw);
  const answering = await open(uri(d.rw));
  await mute.closed;
  const pings = mute.frames.filter((f) => f.header.program === Program.KEEPALIVE);
  t.equal(pings.length, 1, 'one PING, then dropped');
  t.match(pings[0]!.header, { procedure: KeepaliveProcedure.PING, type: MessageType.MESSAGE });
  t.equal(await answering.getType(), 'TEST', 'the client that answered PINGs (silent for as long) is still served');
  await answering.close();
});

t.test('a client gives up a daemon that stops answering, with libvirt\'s error', async (t) => {
  const d = await startDaemon(['--keepalive-interval', '0']);
  t.teardown(() => { d.proc.kill('SIGCONT'); return d.stop(); });
  const conn = await open(uri(d.rw, '&keepalive_interval=1&keepalive_count=1'));
  d.proc.kill('SIGSTOP');
  await t.rejects(conn.getHostname(), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.RPC, message: 'internal error: connection closed due to keepalive timeout' });
  d.proc.kill('SIGCONT');
  await conn.close();
});

t.test('virsh -k 1 -K 1 gives up a stopped daemon as libvirt\'s virsh does', async (t) => {
  const d = await startDaemon(['--keepalive-interval', '0']);
  t.teardown(() => { d.proc.kill('SIGCONT'); return d.stop(); });
  d.proc.kill('SIGSTOP');
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    execFile('/usr/bin/env', [...NODE, VIRSH, '-k', '1', '-K', '1', '-c', uri(d.rw), 'hostname'], { encoding: 'utf8', timeout: 60_000 },
      (e, _out, err) => resolve({ code: e ? (e.code as number) : 0, err }));
  });
  t.equal(r.code, 1);
  t.match(r.err, 'error: internal error: connection closed due to keepalive timeout');
});

t.test('keepalive parameters, in the URI or open()\'s options, must be whole numbers', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  await t.rejects(open(uri(d.rw, '&keepalive_interval=soon')), { code: ErrorNumber.INVALID_ARG, message: /keepalive_interval must be a whole number, not 'soon'/ });
  await t.rejects(open(uri(d.rw, '&keepalive_count=-1')), { code: ErrorNumber.INVALID_ARG });
  await t.rejects(open(uri(d.rw), { keepalive: { interval: 1.5, count: 1 } }), { code: ErrorNumber.INVALID_ARG, message: /keepalive interval and count must be whole numbers/ });
});
