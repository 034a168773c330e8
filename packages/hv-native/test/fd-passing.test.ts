import { spawn } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import t, { type Test } from 'tap';

import { MAX_FDS_PER_MESSAGE, recvFds, sendFds } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';
import { Qemu, qemuMissing } from './fixtures/qemu.js';

const noAddon = nativeMissing();

/** A temp dir with a file of known content, removed after the test. */
function scratch(t: Test, content = 'passed through SCM_RIGHTS\n') {
  const dir = mkdtempSync(join(tmpdir(), 'hv-native-fd-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'payload.txt');
  writeFileSync(file, content);
  return { dir, file, content };
}

/**
 * A connected pair over a unix socket path. The server side is created paused
 * (pauseOnConnect), so recvFds may read it.
 */
async function socketPair(t: Test, dir: string): Promise<{ client: net.Socket; server: net.Socket }> {
  const path = join(dir, 'pair.sock');
  const listener = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect(path);
  await new Promise((resolve) => client.once('connect', resolve));
  const server = await accepted;
  t.teardown(() => {
    client.destroy();
    server.destroy();
    listener.close();
  });
  return { client, server };
}

function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

t.test('a descriptor crosses a socket and reads the same file', { skip: noAddon }, async (t) => {
  const { dir, file, content } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  const fd = openSync(file, 'r');
  t.teardown(() => closeSync(fd));

  sendFds(client, Buffer.from('hello'), [fd]);
  const got = await recvFds(server);
  t.equal(got.data.toString(), 'hello');
  t.equal(got.fds.length, 1);
  const [received] = got.fds as [number];
  t.not(received, fd, 'a new descriptor number');
  t.equal(fstatSync(received).ino, fstatSync(fd).ino, 'same inode');
  const buffer = Buffer.alloc(100);
  t.equal(buffer.toString('utf8', 0, readSync(received, buffer, 0, 100, 0)), content);
  closeSync(received);
});

t.test('recvFds waits for a message that has not arrived yet', { skip: noAddon }, async (t) => {
  const { dir, file } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  const fd = openSync(file, 'r');
  t.teardown(() => closeSync(fd));

  const pending = recvFds(server, { timeoutMs: 5000 });
  await new Promise((resolve) => setTimeout(resolve, 30));
  sendFds(client, Buffer.from('later'), [fd, fd]);
  const got = await pending;
  t.equal(got.data.toString(), 'later');
  t.equal(got.fds.length, 2, 'both descriptors');
  for (const received of got.fds) {
    t.equal(fstatSync(received).ino, fstatSync(fd).ino);
    closeSync(received);
  }
});

t.test('a descriptor passed to a child process reads the same file', { skip: noAddon }, async (t) => {
  const { dir, file, content } = scratch(t);
  const path = join(dir, 'child.sock');
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(path, resolve));
  t.teardown(() => listener.close());

  const fixture = fileURLToPath(new URL('./fixtures/recv-child.ts', import.meta.url));
  // execArgv carries tap's TypeScript loader, so the child runs the .ts sources too.
  const child = spawn(process.execPath, [...process.execArgv, fixture, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const connection = await new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const fd = openSync(file, 'r');
  sendFds(connection, Buffer.from('take this'), [fd]);
  closeSync(fd); // the child holds its own copy now

  t.equal(await exited, 0, 'child exit status');
  connection.destroy();
  const report = JSON.parse(output) as { data: string; fds: number; content: string; ino: number };
  t.same(report, { data: 'take this', fds: 1, content, ino: statSync(file).ino });
});

t.test('a real QEMU accepts descriptors with getfd and add-fd', { skip: noAddon || qemuMissing() }, async (t) => {
  const { file } = scratch(t);
  const qemu = await Qemu.start();
  t.teardown(() => qemu.stop());
  const fd = openSync(file, 'r');
  t.teardown(() => closeSync(fd));

  const none = await qemu.command('getfd', { fdname: 'x' });
  t.match(none.error?.desc, /No file descriptor supplied via SCM_RIGHTS/, 'getfd needs a passed descriptor');

  t.same((await qemu.command('getfd', { fdname: 'x' }, [fd])).return, {}, 'getfd with SCM_RIGHTS');
  t.same((await qemu.command('closefd', { fdname: 'x' })).return, {}, 'QEMU held it under the name x');
  t.match((await qemu.command('closefd', { fdname: 'x' })).error?.desc, /not found/, 'and closed it');

  const added = await qemu.command('add-fd', { 'fdset-id': 7, opaque: 'payload' }, [fd]);
  const { fd: qemuFd } = added.return as { 'fdset-id': number; fd: number };
  t.match(added.return, { 'fdset-id': 7 });
  const sets = (await qemu.command('query-fdsets')).return as { 'fdset-id': number; fds: { fd: number; opaque?: string }[] }[];
  t.same(sets, [{ 'fdset-id': 7, fds: [{ fd: qemuFd, opaque: 'payload' }] }], 'query-fdsets lists it');
  t.equal(readlinkSync(`/proc/${qemu.pid}/fd/${qemuFd}`), file, "QEMU's descriptor is our file");
});

t.test('partial sends: the rest follows through Node, in order', { skip: noAddon }, async (t) => {
  const { dir, file } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  const fd = openSync(file, 'r');
  t.teardown(() => closeSync(fd));
  // Larger than a unix socket's buffer, so sendmsg takes only part of it.
  const big = Buffer.alloc(4 * 1024 * 1024, 'abcdefgh');
  sendFds(client, big, [fd]);
  t.ok(client.writableLength > 0, 'the kernel took part of it, Node queued the rest');

  const first = await recvFds(server, { maxBytes: 65536 });
  t.equal(first.fds.length, 1, 'descriptor with the first bytes');
  first.fds.forEach((f) => closeSync(f));
  const chunks: Buffer[] = [first.data];
  let total = first.data.length;
  server.on('data', (d: Buffer) => {
    chunks.push(d);
    total += d.length;
    if (total >= big.length) server.end();
  });
  server.resume();
  await new Promise((resolve) => server.once('end', resolve));
  t.ok(Buffer.concat(chunks).equals(big), 'every byte, in order');
});

t.test('bad input throws typed errors', { skip: noAddon }, async (t) => {
  const { dir, file } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  const data = Buffer.from('x');

  const closed = openSync(file, 'r');
  closeSync(closed);
  t.throws(() => sendFds(client, data, [closed]), { name: 'HvNativeError', code: 'EBADF', syscall: 'sendmsg' }, 'closed descriptor');
  t.throws(() => sendFds(client, data, [-1]), { code: 'EBADF' }, 'negative descriptor');
  t.throws(() => sendFds(client, data, [1.5]), { code: 'EINVAL' }, 'not an integer');
  t.throws(() => sendFds(client, data, []), { code: 'EINVAL' }, 'no descriptors');
  t.throws(() => sendFds(client, data, new Array(MAX_FDS_PER_MESSAGE + 1).fill(0)), { code: 'EINVAL' }, 'too many');
  t.throws(() => sendFds(client, Buffer.alloc(0), [0]), { code: 'EINVAL' }, 'empty data');
  t.throws(() => sendFds(client, 'x' as unknown as Buffer, [0]), { code: 'EINVAL' }, 'data not bytes');
  t.throws(() => sendFds({} as net.Socket, data, [0]), { code: 'EINVAL' }, 'not a socket');

  client.cork();
  client.write('queued');
  t.throws(() => sendFds(client, data, [0]), { code: 'EBUSY' }, 'writes queued in Node');
  client.uncork();
  t.equal((await recvFds(server)).data.toString(), 'queued', 'the queued write went out alone');

  const reading = net.connect(join(dir, 'pair.sock'));
  await new Promise((resolve) => reading.once('connect', resolve));
  await t.rejects(recvFds(reading), { code: 'EBUSY' }, 'Node is reading the socket');
  reading.destroy();

  await t.rejects(recvFds(server, { timeoutMs: 50 }), { code: 'ETIMEDOUT' }, 'nothing to receive');
  await t.rejects(recvFds(server, { maxBytes: 0 }), { code: 'EINVAL' }, 'maxBytes 0');
  await t.rejects(recvFds(server, { maxFds: 254 }), { code: 'EINVAL' }, 'maxFds above SCM_MAX_FD');
  await t.rejects(recvFds(server, { timeoutMs: -1 }), { code: 'EINVAL' }, 'negative timeout');
  await t.rejects(recvFds(closed), { code: 'EBADF' }, 'closed descriptor number');
  const regular = openSync(file, 'r');
  await t.rejects(recvFds(regular), { code: 'ENOTSOCK' }, 'not a socket descriptor');
  closeSync(regular);

  const connecting = net.connect(join(dir, 'pair.sock'));
  t.throws(() => sendFds(connecting, data, [0]), { code: 'ENOTCONN' }, 'socket still connecting');
  connecting.destroy();

  client.destroy();
  t.throws(() => sendFds(client, data, [0]), { code: 'EBADF' }, 'destroyed socket');
});

t.test('more descriptors than maxFds: EMSGSIZE, nothing leaks', { skip: noAddon }, async (t) => {
  const { dir, file } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  const fds = [openSync(file, 'r'), openSync(file, 'r'), openSync(file, 'r')];
  t.teardown(() => fds.forEach((fd) => closeSync(fd)));
  const before = openFdCount();
  sendFds(client, Buffer.from('three'), fds);
  await t.rejects(recvFds(server, { maxFds: 1 }), { code: 'EMSGSIZE' });
  t.equal(openFdCount(), before, 'received descriptors were closed');
});

t.test('the peer closing reads as empty data', { skip: noAddon }, async (t) => {
  const { dir } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  client.end();
  t.same(await recvFds(server), { data: Buffer.alloc(0), fds: [] });
});

t.test('without the addon: UNAVAILABLE', async (t) => {
  const { dir } = scratch(t);
  const { client, server } = await socketPair(t, dir);
  await withNativeOff(async () => {
    t.throws(() => sendFds(client, Buffer.from('x'), [0]), { name: 'HvNativeError', code: 'UNAVAILABLE' });
    await t.rejects(recvFds(server), { code: 'UNAVAILABLE' });
  });
});
