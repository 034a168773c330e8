import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { generatedBindings, runScript, startTsvirtd } from './fixtures/run-script.js';

// What the bindings do beyond the libraries they stand in for, and how they fail.
const checks = fileURLToPath(new URL('./fixtures/checks/', import.meta.url));

function run(cmd: string, file: string, ...args: string[]) {
  const r = runScript(cmd, [join(checks, file), ...args], generatedBindings);
  return { status: r.status, lines: r.stdout.trim().split('\n'), stderr: r.stderr };
}

t.test('Python: wrong types, a closed connection and a dead daemon fail promptly, as libvirt-python does; the close callback is told EOF', async (t) => {
  const r = run('python3', 'bad-calls.py');
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, [
    'name TypeError', 'id TypeError', 'memory TypeError',
    'closed 1 invalid connection pointer in virDomainLookupByName',
    'close callback 1 ctx True',
    'daemon died 38 7 End of file while reading data: Input/output error True',
    'close 0',
  ]);
});

t.test('Python asyncio: awaitable calls, events as an async iterator, a loop that runs while calls wait', async (t) => {
  const r = run('python3', 'asyncio-calls.py');
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, [
    "[1, 0] test ['test']",
    "[('test', 3, 0), ('test', 4, 0)]",
    'err 42',
    'loop ran during calls: True',
  ]);
});

t.test('Perl: a daemon that dies mid-session is a Sys::Virt::Error at once, and the close callback is told EOF', async (t) => {
  const r = run('perl', 'bad-calls.pl');
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, ['close callback 1 1', 'daemon died Sys::Virt::Error 38 libvirt error code: 38, message: End of file while reading data: Input/output error', 'prompt 1', 'closed, daemon gone: 1']);
});

/** A free TCP port on loopback. */
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});

t.test('Python: a running tsvirtd over its unix socket (read-write) and TCP (read-only), as libvirt-python reaches libvirtd', async (t) => {
  const port = await freePort();
  const dir = await startTsvirtd(t, ['--listen', `tcp://127.0.0.1:${port}`]);
  const r = run('python3', 'remote-uris.py', join(dir, 'tsvirt-sock'), String(port));
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, [
    "unix: test:///default ['seen-remotely', 'test']",
    "tcp: ['seen-remotely', 'test'] 65536",
    'tcp write: 29 operation forbidden: read only access prevents virDomainCreate',
    "after undefine over unix, tcp sees: ['test']",
  ]);
});
