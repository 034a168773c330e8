// virsh's own options (-d, -l, -t, -e) against libvirt's virsh on the same scripts, where
// libvirt's is installed: the same debug lines, log lines (less their time stamps),
// timing lines (less the figures) and refusals.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseGlobalOptions } from '../src/cli/global-options.js';
import { escapeByte } from '../src/console/console-relay.js';
import { virshEnv } from './fixtures/run-virsh.js';

const ours = new URL('../bin/virsh', import.meta.url).pathname;
const LIBVIRT_VIRSH = '/usr/bin/virsh';
const noLibvirt = existsSync(LIBVIRT_VIRSH) ? false : 'libvirt\'s virsh is not installed (apt-get install libvirt-clients)';
const run = (bin: string, args: string[]) => {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', ...(bin === ours ? [process.execPath] : []), bin, ...args], { encoding: 'utf8', env: virshEnv, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, rc: r.status };
};
const SCRIPT = 'domstate test; domstate 1; domstate 6695eb01-f6a4-8304-79aa-97f2502e193f; domid nosuch; domstate 7';
const dir = mkdtempSync(join(tmpdir(), 'virsh-global-options-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('-d N shows the debug lines of level N and above, as libvirt\'s virsh', { skip: noLibvirt }, async (t) => {
  for (const level of ['0', '1', '2', '4', '5', '-1', 'x']) {
    const args = ['-d', level, '-c', 'test:///default', SCRIPT];
    t.same(run(ours, args), run(LIBVIRT_VIRSH, args), `-d ${level}`);
  }
});

t.test('-l FILE logs with libvirt\'s stamps and levels; -t times each command', { skip: noLibvirt }, async (t) => {
  const unstamped = (file: string) => readFileSync(file, 'utf8').replace(/^\[\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d virsh \d+\] /gm, '[stamp] ');
  for (const extra of [[], ['-d', '0'], ['-d', '3']]) {
    const logs = [join(dir, `ours${extra.join('')}.log`), join(dir, `libvirt${extra.join('')}.log`)];
    run(ours, [...extra, '-l', logs[0], '-c', 'test:///default', SCRIPT]);
    run(LIBVIRT_VIRSH, [...extra, '-l', logs[1], '-c', 'test:///default', SCRIPT]);
    t.equal(unstamped(logs[0]), unstamped(logs[1]), `log file with ${extra.join(' ') || 'no -d'}`);
    t.match(readFileSync(logs[0], 'utf8'), /^\[\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d virsh \d+\] ERROR failed to get domain 'nosuch'$/m);
  }
  const untimed = (r: { out: string }) => r.out.replace(/\(Time: \d+\.\d{3} ms\)/g, '(Time: N ms)');
  for (const quiet of [[], ['-q']]) {
    const args = [...quiet, '-t', '-c', 'test:///default', 'domstate test; list; domid nosuch'];
    t.equal(untimed(run(ours, args)), untimed(run(LIBVIRT_VIRSH, args)), `-t ${quiet.join(' ')}`);
  }
  t.same(run(ours, ['-l', '/nonexistent/dir/virsh.log', 'uri']), run(LIBVIRT_VIRSH, ['-l', '/nonexistent/dir/virsh.log', 'uri']), 'a log file that cannot be opened');
  for (const e of ['ab', '^', '^1']) t.same(run(ours, ['-e', e, 'uri']), run(LIBVIRT_VIRSH, ['-e', e, 'uri']), `-e ${e} refused`);
});

t.test('-e: one character, or ^ and a letter (a control character)', async (t) => {
  t.equal(parseGlobalOptions(['-e', '^a', 'list']).escape, '^a');
  t.equal(parseGlobalOptions(['list']).escape, '^]', 'Ctrl+] by default');
  t.equal(escapeByte('^]'), 0x1d);
  t.equal(escapeByte('^a'), 0x01);
  t.equal(escapeByte('^_'), 0x1f);
  t.equal(escapeByte('x'), 0x78);
  t.throws(() => parseGlobalOptions(['-e', '^1', 'list']), { message: "Invalid string '^1' for escape sequence" });
});

t.test('with no -c: VIRSH_DEFAULT_CONNECT_URI, then LIBVIRT_DEFAULT_URI, then core\'s choice', async (t) => {
  const uri = (env: Record<string, string>) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, ours, 'uri'],
    { encoding: 'utf8', env: { ...virshEnv, ...env } }).stdout;
  t.equal(uri({ LIBVIRT_DEFAULT_URI: 'test:///default' }), 'test:///default\n\n');
  t.equal(uri({ LIBVIRT_DEFAULT_URI: 'test:///nonexistent.xml', VIRSH_DEFAULT_CONNECT_URI: 'test:///default' }), 'test:///default\n\n', 'virsh\'s own variable first');
});
