import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tinyGuest } from '../../driver-qemu/test/fixtures/guest/tiny-guest.js';
import { generatedBindings, runScript, startTsvirtd } from './fixtures/run-script.js';

// Streams through the bindings: a real guest's console (QEMU under TCG, served by tsvirtd)
// and a volume's bytes (the QEMU driver's folder pools), read and written with
// libvirt-python's virStream and Sys::Virt::Stream. libvirt's test driver has neither, so
// libvirt itself cannot run these; what it does there (streams no call has opened, calls
// it does not support) is compared in the scripts test.
t.setTimeout(600_000);
const checks = fileURLToPath(new URL('./fixtures/checks/', import.meta.url));
const guest = await tinyGuest();
const noGuest = 'skip' in guest ? guest.skip : false;

/** A tsvirtd serving QEMU from folders of the test's own. */
async function qemuDaemon(t: Tap.Test): Promise<string> {
  const dir = await startTsvirtd(t);
  return `qemu+unix:///${process.getuid?.() === 0 ? 'system' : 'session'}?socket=${join(dir, 'tsvirt-sock')}`;
}

function run(cmd: string, file: string, ...args: string[]) {
  const r = runScript(cmd, [join(checks, file), ...args], generatedBindings, 300_000);
  return { status: r.status, lines: r.stdout.trim().split('\n'), stderr: r.stderr };
}

t.test('Python: a guest\'s console through virStream, blocking and with event callbacks', { skip: noGuest }, async (t) => {
  if ('skip' in guest) return;
  const uri = await qemuDaemon(t);
  const r = run('python3', 'console.py', uri, guest.kernel, guest.initrd);
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, [
    'openConsole 0',
    'ready line read',
    'send 14',
    'echo read',
    'second session: 9 10 operation failed: Active console session exists for this domain',
    "first stream ended: b''",
    'nothing yet: -2',
    'callbacks: writable True',
    'removed twice: 1 internal error: no stream callback registered',
    'abort 0',
    'finish 0 True',
    'asyncio callback events: 1',
    'recvAll until the guest went: True',
    'conn alive: 1 0',
  ]);
});

t.test('Perl: a guest\'s console through Sys::Virt::Stream, blocking and with callbacks', { skip: noGuest }, async (t) => {
  if ('skip' in guest) return;
  const uri = await qemuDaemon(t);
  const r = run('perl', 'console.pl', uri, guest.kernel, guest.initrd);
  t.equal(r.status, 0, r.stderr);
  t.strictSame(r.lines, [
    'open_console nothing',
    'ready line read',
    'send 12',
    'echo read',
    'second session: 9 10 operation failed: Active console session exists for this domain',
    'first stream ended: 0',
    'nothing yet: -2',
    'callbacks: writable 1',
    'removed twice: 1 internal error: no stream callback registered',
    'finished',
  ]);
});

for (const [lang, cmd, file, expected] of [
  ['Python', 'python3', 'volumes.py', ['upload 0', 'finish 0', 'downloaded the same: True', 'before the offset: 4096 {0}', 'info [0, 65536, 65536]']],
  ['Perl', 'perl', 'volumes.pl', ['uploaded', 'downloaded the same: 1', 'before the offset: 4096 zeros']],
] as const) {
  t.test(`${lang}: a volume's bytes uploaded and downloaded through streams`, async (t) => {
    const uri = await qemuDaemon(t);
    const folder = mkdtempSync(join(tmpdir(), 'tsvirt-pool-'));
    t.teardown(() => rmSync(folder, { recursive: true, force: true }));
    const r = run(cmd, file, uri, join(folder, 'images'));
    t.equal(r.status, 0, r.stderr);
    t.strictSame(r.lines, expected);
  });
}
