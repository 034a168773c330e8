// openTap: a descriptor of a tap device. Opened in a network namespace of its own (a
// child process under unshare -n) so that the machine's own links are never touched;
// the tap is there while the descriptor is open and gone once it is closed.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import t from 'tap';

import { openTap } from '../src/index.js';
import { nativeMissing, withNativeOff } from './fixtures/native.js';

const noAddon = nativeMissing();
const noNetns = process.getuid?.() !== 0 ? 'needs root, for a network namespace'
  : spawnSync('unshare', ['-n', 'true']).status !== 0 ? 'unshare -n does not work here' : false;

t.test('names that are no interface names are refused before any system call', async (t) => {
  for (const bad of ['', 'a/b', 'x'.repeat(16)]) {
    t.throws(() => openTap(bad), { name: 'HvNativeError', code: 'EINVAL' }, JSON.stringify(bad));
  }
});

t.test('without the addon: UNAVAILABLE, saying why', async (t) => {
  await withNativeOff(() => {
    t.throws(() => openTap('vnet%d'), { name: 'HvNativeError', code: 'UNAVAILABLE', message: /needs the native addon/ });
  });
});

t.test('a tap lives as long as its descriptor', { skip: noAddon || noNetns }, async (t) => {
  const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const script = `
    import { closeSync } from 'node:fs';
    import { spawnSync } from 'node:child_process';
    const { openTap } = await import(${JSON.stringify(index)});
    const has = (n) => spawnSync('ip', ['link', 'show', n]).status === 0;
    const first = openTap('vnet%d');
    const second = openTap('vnet%d', false);
    const open = [first.name, second.name, has(first.name), has(second.name)];
    closeSync(first.fd);
    closeSync(second.fd);
    console.log(JSON.stringify([...open, has(first.name), has(second.name)]));`;
  const r = spawnSync('unshare', ['-n', '--', process.execPath, ...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout.trim().split('\n').pop()!), ['vnet0', 'vnet1', true, true, false, false]);
});
