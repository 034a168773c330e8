// The xenstore client against Debian's real oxenstored (no hypervisor needed):
// nodes, permissions, watches and transactions with real conflicts; then against
// peers that misbehave (stand-ins, as their names say), which must give clear
// errors and never a hang.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import t from 'tap';
import { XenstoreClient } from '../../src/xenstore/xs-client.js';
import { XenstoreError } from '../../src/xenstore/xs-error.js';
import { oxenstoredMissing, startOxenstored } from '../fixtures/xen-tools.js';
import { failure } from '../fixtures/failure.js';


/** Events as they arrive, and a wait for the n-th. */
function recorder() {
  const seen: string[] = [];
  let wake = () => {};
  return {
    seen,
    listener: (p: string) => { seen.push(p); wake(); },
    async until(n: number) {
      const deadline = Date.now() + 5000;
      while (seen.length < n && Date.now() < deadline) await new Promise<void>((r) => { wake = r; setTimeout(r, 50); });
    },
  };
}

t.test('against the real oxenstored', { skip: oxenstoredMissing() }, async (t) => {
  const { socket } = await startOxenstored(t);
  const xs = await XenstoreClient.connect(socket);
  t.teardown(() => xs.close());

  t.test('write, read, directory, mkdir, remove, and xenstored\'s own errors', async (t) => {
    await xs.write('/tsvirt/vm/name', 'guest one');
    await xs.write('/tsvirt/vm/memory', '65536');
    t.equal(await xs.read('/tsvirt/vm/name'), 'guest one');
    t.same((await xs.directory('/tsvirt/vm')).sort(), ['memory', 'name']);
    await xs.mkdir('/tsvirt/empty');
    t.same(await xs.directory('/tsvirt/empty'), []);
    t.equal(await xs.read('/tsvirt/empty'), '', 'a node made by mkdir has an empty value');
    await xs.write('/tsvirt/utf8', 'héllo \u2603');
    t.equal(await xs.read('/tsvirt/utf8'), 'héllo \u2603');
    await xs.remove('/tsvirt/vm');
    t.equal(await xs.readOptional('/tsvirt/vm/name'), undefined);
    const e = await failure(() => xs.read('/tsvirt/vm/name'));
    t.ok(e instanceof XenstoreError);
    t.match(e, {
      errno: 'ENOENT', code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.XENSTORE,
      message: 'operation failed: xenstore read /tsvirt/vm/name: ENOENT (no such node)',
    });
    t.match(await failure(() => xs.read('relative/to/nothing')), { errno: /^E/ }, 'a relative path from dom0\'s connection: xenstored answers');
    t.match(await failure(() => xs.write('', 'x')), { code: ErrorNumber.INVALID_ARG }, 'an empty path is refused before it is sent');
    t.match(await failure(() => xs.write('/a\0b', 'x')), { code: ErrorNumber.INVALID_ARG });
    t.match(await failure(() => xs.write(`/${'p'.repeat(3100)}`, 'x')), { code: ErrorNumber.INVALID_ARG });
    t.match(await failure(() => xs.write('/tsvirt/big', 'v'.repeat(5000))), { code: ErrorNumber.INVALID_ARG, message: /more than 4096 bytes/ });
    t.equal(await xs.getDomainPath(7), '/local/domain/7');
  });

  t.test('permissions: set and read back; a bad entry refused before it is sent', async (t) => {
    await xs.write('/tsvirt/perm', 'x');
    await xs.setPerms('/tsvirt/perm', [{ domid: 0, read: false, write: false }, { domid: 5, read: true, write: false }, { domid: 6, read: true, write: true }]);
    t.same(await xs.getPerms('/tsvirt/perm'), [
      { domid: 0, read: false, write: false }, { domid: 5, read: true, write: false }, { domid: 6, read: true, write: true },
    ]);
    t.match(await failure(() => xs.setPerms('/tsvirt/perm', [])), { code: ErrorNumber.INVALID_ARG });
    t.match(await failure(() => xs.setPerms('/tsvirt/perm', [{ domid: -1, read: true, write: false }])), { code: ErrorNumber.INVALID_ARG });
    t.match(await failure(() => xs.getPerms('/tsvirt/no-such')), { errno: 'ENOENT' });
  });

  t.test('watches: the first event on setting it, then every change under the path, none after close', async (t) => {
    const r = recorder();
    const w = await xs.watch('/tsvirt/w', r.listener);
    await r.until(1);
    t.same(r.seen, ['/tsvirt/w'], 'xenstored fires a watch once when it is set');
    // another client changes things: events come from xenstored, not from our own writes
    const other = await XenstoreClient.connect(socket);
    t.teardown(() => other.close());
    await other.write('/tsvirt/w/a', '1');
    await other.write('/tsvirt/w/b/c', '2');
    await other.write('/tsvirt/elsewhere', '3');
    await r.until(3);
    t.same(r.seen.slice(1).sort(), ['/tsvirt/w/a', '/tsvirt/w/b/c']);
    await other.remove('/tsvirt/w');
    await r.until(4);
    t.ok(r.seen.slice(3).every((p) => p.startsWith('/tsvirt/w')), 'a removal fires the watch');
    await w.close();
    const before = r.seen.length;
    await other.write('/tsvirt/w/d', '4');
    await xs.read('/tsvirt/w/d'); // a round trip: an event sent before its reply would have arrived
    t.equal(r.seen.length, before, 'no event once the watch is closed');
    t.equal(xs.watchCount, 0);

    const intro = recorder();
    const iw = await xs.watch('@introduceDomain', intro.listener);
    await intro.until(1);
    t.same(intro.seen, ['@introduceDomain'], 'the special path for domains that appear');
    await iw.close();
  });

  t.test('transactions: commit, abort on failure, retry on a real conflict, EAGAIN once retries run out', async (t) => {
    await xs.write('/tsvirt/tx/counter', '0');
    t.equal(await xs.transaction(async (tx) => {
      const n = Number(await tx.read('/tsvirt/tx/counter'));
      await tx.write('/tsvirt/tx/counter', String(n + 1));
      return n + 1;
    }), 1);
    t.equal(await xs.read('/tsvirt/tx/counter'), '1');

    await t.rejects(xs.transaction(async (tx) => {
      await tx.write('/tsvirt/tx/counter', '99');
      throw new Error('changed my mind');
    }), /changed my mind/);
    t.equal(await xs.read('/tsvirt/tx/counter'), '1', 'an aborted transaction leaves nothing');

    // a second client changes what the transaction read before it commits: xenstored refuses the commit (EAGAIN) and the client runs the work again
    const other = await XenstoreClient.connect(socket);
    t.teardown(() => other.close());
    let attempts = 0;
    const result = await xs.transaction(async (tx) => {
      attempts++;
      const n = Number(await tx.read('/tsvirt/tx/counter'));
      if (attempts === 1) await other.write('/tsvirt/tx/counter', '10');
      await tx.write('/tsvirt/tx/counter', String(n + 1));
      return n + 1;
    });
    t.equal(attempts, 2, 'the conflict was seen and the work ran again');
    t.equal(result, 11, 'on the value the other client wrote');
    t.equal(await xs.read('/tsvirt/tx/counter'), '11');

    let tries = 0;
    const e = await failure(() => xs.transaction(async (tx) => {
      tries++;
      await tx.read('/tsvirt/tx/counter');
      await other.write('/tsvirt/tx/counter', String(100 + tries));
      await tx.write('/tsvirt/tx/counter', 'lost');
    }, 3));
    t.equal(tries, 3);
    t.match(e, { errno: 'EAGAIN', code: ErrorNumber.OPERATION_FAILED, message: /transaction commit: EAGAIN/ });
    t.equal(await xs.read('/tsvirt/tx/counter'), '103', 'the other client\'s write stands');

    // reads inside a transaction see its own writes, outside they do not until it commits
    await xs.transaction(async (tx) => {
      await tx.write('/tsvirt/tx/inside', 'yes');
      t.equal(await tx.read('/tsvirt/tx/inside'), 'yes');
      t.equal(await xs.readOptional('/tsvirt/tx/inside'), undefined, 'not visible outside before the commit');
      t.same(await tx.directory('/tsvirt/tx'), ['counter', 'inside']);
    });
    t.equal(await xs.read('/tsvirt/tx/inside'), 'yes');
  });

  t.test('many requests in flight at once each get their own reply', async (t) => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => xs.write(`/tsvirt/many/${i}`, `v${i}`)));
    const values = await Promise.all(Array.from({ length: 50 }, (_, i) => xs.read(`/tsvirt/many/${i}`)));
    t.same(values, Array.from({ length: 50 }, (_, i) => `v${i}`));
  });

  t.test('xenstored going away fails what is in flight and what comes after', async (t) => {
    const { socket: sock2, proc } = await startOxenstored(t);
    const c = await XenstoreClient.connect(sock2);
    await c.write('/x', '1');
    proc.kill('SIGKILL');
    const e = await failure(async () => { for (;;) await c.read('/x'); });
    t.match(e, { domain: ErrorDomain.XENSTORE, message: /xenstore connection/ });
    t.equal(c.alive, false);
    t.match(await failure(() => c.read('/x')), { domain: ErrorDomain.XENSTORE });
  });
});

t.test('misbehaving peers (stand-ins for a broken xenstored, not the real one)', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xs-peer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const serve = async (name: string, onData: (sock: net.Socket, data: Buffer) => void) => {
    const file = path.join(dir, name);
    const srv = net.createServer((s) => s.on('data', (d) => onData(s, d)));
    await new Promise<void>((r) => srv.listen(file, r));
    t.teardown(() => new Promise<void>((r) => srv.close(() => r())));
    return file;
  };

  t.match(await failure(() => XenstoreClient.connect(path.join(dir, 'nobody'))), {
    code: ErrorNumber.NO_XENSTORE, domain: ErrorDomain.XENSTORE, message: /^could not connect to Xen Store .*nobody: no xenstored listens there$/,
  });

  const garbage = await serve('garbage', (s) => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
  const g = await XenstoreClient.connect(garbage);
  t.match(await failure(() => g.read('/a')), { code: ErrorNumber.INTERNAL_ERROR, message: /declares \d+ payload bytes, more than 4096/ });
  t.equal(g.alive, false, 'the connection is given up after bytes that are not the protocol');

  const silent = await serve('silent', () => undefined);
  const s = await XenstoreClient.connect(silent, { timeoutMs: 200 });
  t.teardown(() => s.close());
  const started = Date.now();
  t.match(await failure(() => s.read('/a')), { code: ErrorNumber.OPERATION_TIMEOUT, message: /xenstore read \/a: no reply within 0.2 s/ });
  t.ok(Date.now() - started < 5000, 'no hang');

  const hangup = await serve('hangup', (sock) => sock.destroy());
  const h = await XenstoreClient.connect(hangup);
  t.match(await failure(() => h.read('/a')), { domain: ErrorDomain.XENSTORE, message: /connection closed/ });

  const badPerms = await serve('bad-perms', (sock, d) => {
    const reqId = d.readUInt32LE(4);
    const payload = Buffer.from('q7\0');
    const head = Buffer.alloc(16);
    head.writeUInt32LE(3, 0); head.writeUInt32LE(reqId, 4); head.writeUInt32LE(payload.length, 12);
    sock.write(Buffer.concat([head, payload]));
  });
  const p = await XenstoreClient.connect(badPerms);
  t.teardown(() => p.close());
  t.match(await failure(() => p.getPerms('/a')), { code: ErrorNumber.INTERNAL_ERROR, message: /bad xenstore permission 'q7'/ });
});
