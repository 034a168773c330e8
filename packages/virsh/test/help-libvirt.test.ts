// `help COMMAND` is libvirt's, byte for byte: for every command tsvirt's virsh has, its
// help (synopsis, description, every option in libvirt's order and words) equals the help
// of libvirt's virsh, where that is installed. `CMD --help` is the same text.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { allCommands } from '../src/commands/command-registry.js';
import { virshEnv } from './fixtures/run-virsh.js';

const LIBVIRT_VIRSH = '/usr/bin/virsh';
const bin = new URL('../bin/virsh', import.meta.url).pathname;
const ours = (script: string) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin, script], { encoding: 'utf8', env: virshEnv });
const theirs = (script: string) => spawnSync(LIBVIRT_VIRSH, [script], { encoding: 'utf8', env: virshEnv, timeout: 60_000 });

/** Commands whose libvirt options tsvirt does not have yet; each is checked to still differ, so the list cannot go stale. */
const OPTIONS_MISSING = new Set<string>([
  'attach-disk', 'attach-interface', 'change-media', 'detach-interface', 'domiftune', 'dumpxml', 'memtune', 'numatune',
  'undefine', 'dommemstat', 'domtime', 'iface-dumpxml', 'net-dumpxml', 'nodedev-dumpxml', 'snapshot-create-as',
  'snapshot-dumpxml', 'pool-dumpxml', 'vol-dumpxml', 'secret-dumpxml',
]);

/** Each command's help out of one script's output, by the NAME line that starts it. */
function helpByCommand(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const chunk of text.split(/^(?=  NAME\n)/m).filter((c) => c.startsWith('  NAME\n'))) out.set(/^ {4}(\S+) - /m.exec(chunk)![1], chunk);
  return out;
}

t.test('help COMMAND is libvirt\'s for every command', { skip: existsSync(LIBVIRT_VIRSH) ? false : 'libvirt\'s virsh is not installed (apt-get install libvirt-clients)' }, async (t) => {
  const names = allCommands.map((c) => c.name);
  const script = names.map((n) => `help ${n}`).join('; ');
  const [mine, libvirts] = [helpByCommand(ours(script).stdout), helpByCommand(theirs(script).stdout)];
  t.equal(mine.size, names.length, 'every command has its help');
  const same = names.filter((n) => mine.get(n) === libvirts.get(n));
  t.comment(`${same.length} of ${names.length} commands' help identical to libvirt's`);
  for (const n of names) {
    if (OPTIONS_MISSING.has(n)) t.not(mine.get(n), libvirts.get(n), `${n}: still listed as missing options`);
    else t.equal(mine.get(n), libvirts.get(n), `help ${n}`);
  }
});

t.test('CMD --help is help CMD', async (t) => {
  for (const n of ['list', 'dominfo', 'echo', 'vol-create-as']) t.equal(ours(`${n} --help`).stdout, ours(`help ${n}`).stdout, n);
});
