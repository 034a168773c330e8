// tsvirtd as root against a real unprivileged user of this machine (created here and
// removed after), real certificates and a private network namespace: what such a user,
// or a peer on the network, can make the daemon open, change or reveal.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ErrorNumber, open } from '@tsvirt/core';
import { procedures, decodeErrorBody, decodeJsonBody } from '@tsvirt/core/protocol';
import { NODE, QEMU_ENV, RawClient, socketDir, startDaemon, TSVIRTD, VIRSH, virsh } from './fixtures/daemon-harness.js';
import { hasOpenssl, makeTestPki } from './fixtures/test-pki.js';
import { isRoot, makeTestUser, noUseradd, virshAs } from './fixtures/test-user.js';

t.setTimeout(240_000);
const GET_TYPE = procedures.find((p) => p.driverName === 'connectGetType')!.proc;
const LOOKUP = procedures.find((p) => p.driverName === 'connectLookupDomainByName')!.proc;

/** Lines of a file that must never reach a client, short ones aside. */
const secretLines = (path: string) => readFileSync(path, 'utf8').split(/[\n\0]/).filter((l) => l.length > 8);

/** Nothing beside the sockets for clients to read or swap: only the daemon's own lock token (mode 0600), no status files. */
function onlySockets(t: Test, dir: string): void {
  t.same(readdirSync(dir).sort(), ['tsvirt-sock', 'tsvirt-sock-ro', 'tsvirtd.lock-token'], 'no status files beside the sockets');
  t.equal(statSync(join(dir, 'tsvirtd.lock-token')).mode & 0o777, 0o600, "the lock token is the daemon's alone");
}

t.test('a read-only user opens no file of root\'s through a node file URI, and a FIFO freezes nothing', { skip: noUseradd }, async (t) => {
  const user = makeTestUser(t);
  const allowed = mkdtempSync(join(tmpdir(), 'tsvirtd-node-files-'));
  t.teardown(() => rmSync(allowed, { recursive: true, force: true }));
  chmodSync(allowed, 0o755);
  const d = await startDaemon(['--allow-node-files', allowed]);
  t.teardown(() => d.stop());

  for (const file of ['/etc/shadow', '/proc/self/environ']) {
    const r = virshAs(user, '-r', '-c', `test+unix://${file}?socket=${d.ro}`, 'list');
    t.not(r.rc, 0, `${file}: refused`);
    t.match(r.err, `access denied: this client may not open '${file}': files are opened only in the folders an administrator allowed (tsvirtd --allow-node-files)`);
    const leaked = secretLines(file === '/proc/self/environ' ? `/proc/${d.proc.pid}/environ` : file).filter((l) => r.out.includes(l) || r.err.includes(l));
    t.same(leaked, [], `no line of ${file} is printed`);
  }
  // A symbolic link in the allowed folder to a file outside it is not a way out.
  symlinkSync('/etc/shadow', join(allowed, 'shadow.xml'));
  t.match(virshAs(user, '-r', '-c', `test+unix://${allowed}/shadow.xml?socket=${d.ro}`, 'list').err, 'access denied');

  // A node file in the allowed folder opens; a FIFO there is refused at once, not read.
  writeFileSync(join(allowed, 'node.xml'), "<node><domain type='test'><name>from-node-file</name><memory>65536</memory><os><type>hvm</type></os></domain></node>");
  t.match(virshAs(user, '-r', '-c', `test+unix://${allowed}/node.xml?socket=${d.ro}`, 'list', '--all').out, 'from-node-file', 'an allowed node file opens');
  spawnSync('mkfifo', [join(allowed, 'fifo.xml')]);
  const started = Date.now();
  const fifo = virshAs(user, '-r', '-c', `test+unix://${allowed}/fifo.xml?socket=${d.ro}`, 'list');
  t.match(fifo.err, "failed to parse xml document '" + join(allowed, 'fifo.xml') + "': not a regular file");
  t.ok(Date.now() - started < 30_000, 'answered without waiting for a writer');
  t.equal(virshAs(user, '-r', '-c', `test+unix:///default?socket=${d.ro}`, 'domstate', 'test').out, 'running\n\n', 'the daemon serves on');

  // A URI naming a host, a transport or parameters is not the daemon's to follow.
  const c = await RawClient.connect(d.ro);
  c.open('test+tcp://elsewhere/default', 1);
  t.match(decodeErrorBody((await c.reply(1)).body), { code: ErrorNumber.ACCESS_DENIED, message: /only local URIs without parameters/ });
  c.socket.destroy();
});

t.test("the files a node file names (file='...') must lie in the allowed folders too", { skip: noUseradd }, async (t) => {
  const user = makeTestUser(t);
  const allowed = mkdtempSync(join(tmpdir(), 'tsvirtd-node-files-'));
  const outside = mkdtempSync(join(tmpdir(), 'tsvirtd-not-allowed-'));
  t.teardown(() => { rmSync(allowed, { recursive: true, force: true }); rmSync(outside, { recursive: true, force: true }); });
  chmodSync(allowed, 0o755);
  chmodSync(outside, 0o755);
  const domain = (name: string) => `<domain type='test'><name>${name}</name><memory>65536</memory><os><type>hvm</type></os></domain>`;
  writeFileSync(join(allowed, 'inside.xml'), domain('referenced-inside'));
  writeFileSync(join(outside, 'outside.xml'), domain('referenced-outside'));
  symlinkSync(join(outside, 'outside.xml'), join(allowed, 'link.xml'));
  const node = (name: string, ref: string) => writeFileSync(join(allowed, name), `<node><domain file='${ref}'/></node>`);
  node('shadow.xml', '/etc/shadow');
  node('relative-out.xml', `../${outside.split('/').pop()}/outside.xml`);
  node('absolute-out.xml', join(outside, 'outside.xml'));
  node('through-link.xml', 'link.xml');
  writeFileSync(join(allowed, 'pool-volume.xml'), "<node><pool type='dir'><name>p</name><target><path>/p</path></target><volume file='/etc/shadow'/></pool></node>");
  node('good.xml', 'inside.xml');
  const d = await startDaemon(['--allow-node-files', allowed]);
  t.teardown(() => d.stop());

  const list = (file: string) => virshAs(user, '-r', '-c', `test+unix://${join(allowed, file)}?socket=${d.ro}`, 'list', '--all');
  for (const [file, named] of [
    ['shadow.xml', '/etc/shadow'], ['relative-out.xml', null], ['absolute-out.xml', join(outside, 'outside.xml')], ['through-link.xml', join(allowed, 'link.xml')],
    ['pool-volume.xml', '/etc/shadow'],
  ] as const) {
    const r = list(file);
    t.not(r.rc, 0, `${file}: refused`);
    t.match(r.err, new RegExp(`access denied: this client may not open '${named ?? '[^\']*outside\\.xml'}': files are opened only in the folders an administrator allowed`), `${file}: refused in words`);
    t.notMatch(r.out + r.err, 'referenced-outside', `${file}: nothing of the file outside is shown`);
    t.same(secretLines('/etc/shadow').filter((l) => r.out.includes(l) || r.err.includes(l)), [], `${file}: no line of /etc/shadow is printed`);
  }
  t.match(list('good.xml').out, 'referenced-inside', 'a file inside the allowed folder is read');
  // The read-write socket's client is trusted with the files it names, as with the node file itself.
  t.match(virsh('-c', `test+unix://${join(allowed, 'absolute-out.xml')}?socket=${d.rw}`, 'list', '--all').out, 'referenced-outside');
});

t.test("unix clients are known by the kernel's record of them: another user on the read-write socket is refused; without hv-native the sockets' modes alone decide", { skip: noUseradd }, async (t) => {
  const user = makeTestUser(t);
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const on = (sock: string) => `test+unix:///default?socket=${sock}`;
  // The read-write socket's mode loosened by hand: the peer's uid still keeps the other user out.
  chmodSync(d.rw, 0o666);
  const r = virshAs(user, '-c', on(d.rw), 'domstate', 'test');
  t.not(r.rc, 0, 'another user on the read-write socket is refused');
  t.match(r.err, `authentication failed: the read-write socket serves only root and the daemon's user (uid 0), not uid ${user.uid}: use the read-only socket`);
  // (the daemon's log is read by this process's event loop, which virshAs held up)
  for (let i = 0; i < 100 && !d.stderr().includes('refused'); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(d.stderr(), new RegExp(`tsvirtd: refused client \\d+ \\(read-write socket, uid ${user.uid} gid ${user.gid} pid \\d+\\)`), 'the log names the user and the process');
  t.equal(virsh('-c', on(d.rw), 'domstate', 'test').out, 'running\n\n', 'root is served');
  t.equal(virshAs(user, '-r', '-c', on(d.ro), 'domstate', 'test').out, 'running\n\n', 'the other user reads on the read-only socket');

  const plain = await startDaemon([], socketDir(), { env: { TSVIRT_HV_NATIVE: 'off' } });
  t.teardown(() => plain.stop());
  t.match(plain.stderr(), 'tsvirtd: unix clients are known only by the socket they come through (no peer credentials: ', 'without the addon the daemon says so');
  chmodSync(plain.rw, 0o666);
  t.equal(virshAs(user, '-c', on(plain.rw), 'domstate', 'test').out, 'running\n\n', "then the read-write socket's mode is all that keeps others out");
});

t.test('socket folders another user owns or can write are refused; ours is made reachable', { skip: noUseradd }, async (t) => {
  const user = makeTestUser(t);
  const refused = async (dir: string, why: RegExp, what: string) => {
    const r = spawnSync('/usr/bin/env', [...NODE, TSVIRTD, '--socket-dir', dir], { cwd: tmpdir(), encoding: 'utf8', timeout: 30_000 });
    t.equal(r.status, 1, `${what}: the daemon does not start`);
    t.match(r.stderr, why, what);
    t.notOk(existsSync(join(dir, 'tsvirt-sock')), `${what}: no socket was made there`);
  };
  const theirs = socketDir();
  chownSync(theirs, user.uid, user.gid);
  await refused(theirs, new RegExp(`refusing socket folder ${theirs}: it belongs to user ${user.uid}, not to user 0`), 'a folder of another user');
  const open_ = socketDir();
  chmodSync(open_, 0o777);
  await refused(open_, /group or others may write to it \(mode 0777\)/, 'a folder anyone may write to');
  const parent = socketDir();
  chownSync(parent, user.uid, user.gid);
  const inside = join(parent, 'sockets');
  mkdirSync(inside, { mode: 0o755 });
  await refused(inside, new RegExp(`its parent ${parent} is not safe: it belongs to user ${user.uid}`), 'a folder the other user can rename away');
  const link = join(socketDir(), 'link');
  symlinkSync(socketDir(), link);
  await refused(link, /it is a symbolic link/, 'a symbolic link');

  // A folder of ours left 0700 (made first by something else) gets the search bits: the read-only socket stays reachable.
  const ours = socketDir();
  chmodSync(ours, 0o700);
  const d = await startDaemon([], ours);
  t.teardown(() => d.stop());
  t.equal(statSync(ours).mode & 0o777, 0o711, 'the folder is 0711');
  t.equal(virshAs(user, '-r', '-c', `test+unix:///default?socket=${d.ro}`, 'domstate', 'test').out, 'running\n\n', 'the user reaches the read-only socket');
  t.not(virshAs(user, '-c', `test+unix:///default?socket=${d.rw}`, 'domstate', 'test').rc, 0, 'and not the read-write one');
  onlySockets(t, ours);
});

t.test('reads go over the socket: a stopped daemon answers nothing, and odd names are errors', async (t) => {
  const d = await startDaemon();
  t.teardown(() => { d.proc.kill('SIGCONT'); return d.stop(); });
  const conn = await open(`test+unix:///default?socket=${d.rw}`);
  t.teardown(() => conn.close());
  const dom = await conn.lookupDomainByName('test');
  const state = await dom.getState();
  onlySockets(t, d.dir);
  d.proc.kill('SIGSTOP');
  let answered = false;
  const pending = dom.getState().then((s) => { answered = true; return s; });
  await new Promise((r) => setTimeout(r, 500));
  t.notOk(answered, 'a stopped daemon does not answer');
  d.proc.kill('SIGCONT');
  t.same(await pending, state, 'it answers once it runs again');
  const c = await RawClient.connect(d.rw);
  c.open('test:///default', 1);
  await c.reply(1);
  c.call(LOOKUP, ['\ud800'], 2);
  t.match(decodeErrorBody((await c.reply(2)).body), { code: ErrorNumber.NO_DOMAIN }, 'a lone surrogate name is an error reply');
  c.call(GET_TYPE, [], 3);
  t.equal(decodeJsonBody((await c.reply(3)).body), 'TEST', 'the daemon serves on');
  c.socket.destroy();
});

/** Run `script` in a network namespace of its own, with loopback and a veth pair, one end at 10.231.0.1. */
function inNetns(script: string): ReturnType<typeof spawn> {
  const setup = 'ip link set lo up && ip link add tsv0 type veth peer name tsv1 && ip addr add 10.231.0.1/24 dev tsv0 '
    + '&& ip link set tsv0 up && ip link set tsv1 up';
  return spawn('unshare', ['-n', '--', 'sh', '-c', `${setup} && ${script}`], {
    cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...QEMU_ENV, LIBVIRT_DEFAULT_URI: '' },
  });
}

const noNetns = (!isRoot && 'needs root, for a network namespace') || (spawnSync('unshare', ['-n', 'true']).status !== 0 && 'unshare -n does not work here');

t.test('listeners on a non-loopback address, in a private network namespace', { skip: noNetns || (!hasOpenssl && 'openssl is not installed') }, async (t) => {
  const pki = makeTestPki();
  t.teardown(() => rmSync(pki.dir, { recursive: true, force: true }));
  const dir = socketDir();
  const node = ['/usr/bin/env', ...NODE].map((a) => `'${a}'`).join(' ');
  const virsh = `${node} '${VIRSH}'`;
  const daemon = (args: string) => `${node} '${TSVIRTD}' --socket-dir '${dir}' ${args}`;
  // The daemon in the background until the clients are done; it goes with the namespace's last process.
  const withDaemon = (args: string, clients: string) => `rm -f '${dir}/tsvirt-sock'; ${daemon(args)} 2>/dev/null & DP=$!; `
    + `for i in $(seq 300); do [ -S '${dir}/tsvirt-sock' ] && break; sleep 0.1; done; ${clients}; kill $DP; wait $DP`;
  const run = (script: string) => new Promise<{ out: string; err: string; code: number | null }>((resolve) => {
    const p = inNetns(script);
    let out = '';
    let err = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { err += d; });
    p.once('exit', (code) => resolve({ out, err, code }));
  });

  const plain = await run(daemon('--listen tcp://10.231.0.1:16509'));
  t.equal(plain.code, 2, 'plain TCP on a non-loopback address is refused at start');
  t.match(plain.err, 'tcp://10.231.0.1:16509 is not a loopback address: plain TCP has no authentication');

  // With --tcp-any-address its clients read, and never write.
  const readOnly = await run(withDaemon('--listen tcp://0.0.0.0:16509 --tcp-any-address',
    `${virsh} -c test+tcp://10.231.0.1/default domstate test && ${virsh} -c test+tcp://10.231.0.1/default suspend test; echo rc=$?`));
  t.match(readOnly.out, 'running');
  t.match(readOnly.err, /operation forbidden: read only access prevents virDomainSuspend/, 'an unauthenticated client cannot write');
  t.match(readOnly.out, 'rc=1');

  // TLS on every address: a certificate from the CA writes, none is told why it is refused.
  const tlsArgs = `--listen tls://0.0.0.0:16514 --tls-cert '${pki.server.cert}' --tls-key '${pki.server.key}' --tls-ca '${pki.server.ca}'`;
  const tls = await run(withDaemon(tlsArgs,
    `${virsh} -c 'test+tls://10.231.0.1/default?pkipath=${pki.good}&no_verify=1' suspend test; `
    + `${virsh} -c 'test+tls://10.231.0.1/default?pkipath=${pki.none}&no_verify=1' list; echo rc=$?`));
  t.match(tls.out, 'Domain \'test\' suspended', 'a verified client writes');
  t.match(tls.err, 'authentication failed: the daemon requires a client certificate and none was given', 'the refused one is told why');
  t.match(tls.out, 'rc=1');
});

