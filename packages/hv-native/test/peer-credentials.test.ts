// peerCredentials: who connected to a unix socket, from the kernel (SO_PEERCRED). The
// peer is a real process of another user (nobody, uid 65534) where the test runs as
// root, and this process itself otherwise.

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

import t, { type Test } from 'tap';

import { peerCredentials } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';

const noAddon = nativeMissing();
const NOBODY = 65534;

/** A server on a fresh socket; resolves with the first accepted connection. */
async function listen(t: Test): Promise<{ path: string; accepted: Promise<Socket> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hv-native-peer-'));
  chmodSync(dir, 0o711);
  const path = join(dir, 'sock');
  const server = createServer();
  const accepted = once(server, 'connection').then(([s]) => s as Socket);
  server.listen(path);
  await once(server, 'listening');
  chmodSync(path, 0o666);
  t.teardown(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });
  return { path, accepted };
}

t.test('the uid, gid and pid of the process that connected', { skip: noAddon }, async (t) => {
  const { path, accepted } = await listen(t);
  const asOther = process.getuid?.() === 0;
  const ids = asOther ? { uid: NOBODY, gid: NOBODY } : {};
  // The peer holds the connection open until told to go (its stdin closes).
  const child = spawn(process.execPath, ['-e', `const s = require('net').connect(${JSON.stringify(path)}); process.stdin.on('end', () => s.destroy()); process.stdin.resume();`],
    { ...ids, stdio: ['pipe', 'ignore', 'inherit'] });
  t.teardown(() => child.kill());
  const socket = await accepted;
  t.strictSame(peerCredentials(socket), {
    uid: asOther ? NOBODY : process.getuid!(), gid: asOther ? NOBODY : process.getgid!(), pid: child.pid,
  });
  child.stdin!.end();
  socket.destroy();
});

t.test('a closed socket or no socket is an error, not a crash', { skip: noAddon }, async (t) => {
  const { path, accepted } = await listen(t);
  const client = connect(path);
  const socket = await accepted;
  socket.destroy();
  t.throws(() => peerCredentials(socket), { name: 'HvNativeError', code: 'EBADF' });
  t.throws(() => peerCredentials({} as Socket), { name: 'HvNativeError', code: 'EINVAL' });
  client.destroy();
});

t.test('without the addon: UNAVAILABLE, saying why', async (t) => {
  await withNativeOff(() => {
    t.throws(() => peerCredentials({} as Socket), { name: 'HvNativeError', code: 'UNAVAILABLE', message: /needs the native addon/ });
  });
});
