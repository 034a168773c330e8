import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const bin = new URL('../bin/virsh', import.meta.url).pathname;
const driver = new URL('./fixtures/pty-session.py', import.meta.url).pathname;
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find(existsSync);

/** Type `keys` into virsh on a real pseudo-terminal; what the screen showed, and the exit status. */
function session(args: string[], keys: string[], cache: string) {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', `XDG_CACHE_HOME=${cache}`, python!, driver, bin, ...args], {
    // wait for the first prompt, then type each key and let readline redraw
    input: JSON.stringify([{ expect: 'virsh ', timeout: 20 }, ...keys.flatMap((k) => [{ send: k }, { pause: 0.7 }])]), encoding: 'utf8', timeout: 90000,
  });
  const res = JSON.parse(r.stdout) as { screen: string; status: number | null };
  // drop readline's cursor movements, keep what was written
  return { ...res, text: res.screen.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '') };
}

t.test('the interactive shell on a terminal', { skip: python ? false : 'needs python3 for its pty module' }, async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'virsh-shell-'));
  // "domst" completes to the prefix it shares with domstate and domstats, as in virsh
  const s = session(['-c', 'test:///default'], ['domst', '\t', 'e', ' te', '\t', '\r', 'list --a', '\t', 'll\r', 'echo a "b c"\r', 'cd /tmp\r', 'pwd\r', 'quit\r'], cache);
  t.equal(s.status, 0);
  t.match(s.text, /^Welcome to virsh, the virtualization interactive terminal\.\n\nType:  'help' for help with commands\n       'quit' to quit\n\nvirsh # /);
  t.match(s.text, /virsh # domstate test\nrunning\n/, 'tab completed the command and the domain name');
  t.match(s.text, /virsh # list --all\n Id   Name   State\n-+\n 1    test   running\n/, 'tab completed the option');
  t.match(s.text, /virsh # echo a "b c"\na b c\n/);
  t.match(s.text, /virsh # pwd\n\/tmp\n/, 'cd changed the directory');
  t.same(readFileSync(join(cache, 'virsh', 'history'), 'utf8').split('\n').filter(Boolean), ['domstate test', 'list --all', 'echo a "b c"', 'cd /tmp', 'pwd', 'quit'], 'history is kept in $XDG_CACHE_HOME/virsh/history');
  const again = session(['-r', '-c', 'test:///default'], ['\x1b[A', '\x1b[A', '\r', 'exit\r'], cache);
  t.match(again.text, /virsh > pwd\n/, 'history comes back in a new session; the read-only prompt is virsh >');
  t.equal(again.status, 0);
});

t.test('Ctrl+R searches the history backwards, as readline does in virsh', { skip: python ? false : 'needs python3 for its pty module' }, async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'virsh-shell-'));
  const s = session(['-c', 'test:///default'], ['domstate test\r', 'domid test\r', 'echo one\r', '\x12', 'dom', '\r', '\x12', 'dom', '\x12', '\r', '\x12', 'nomatch', '\x07', 'quit\r'], cache);
  t.equal(s.status, 0);
  t.match(s.text, /\(reverse-i-search\)`dom': domid test/, 'the newest entry containing the text');
  t.match(s.text, /virsh # echo one\none\n[\s\S]*\n1\n[\s\S]*\(reverse-i-search\)`dom': domstate test[\s\S]*\nrunning\n/, 'Enter runs it; Ctrl+R again goes further back');
  t.match(s.text, /\(failed reverse-i-search\)`nomatch': /, 'no entry contains the text');
  t.same(readFileSync(join(cache, 'virsh', 'history'), 'utf8').split('\n').filter(Boolean), ['domstate test', 'domid test', 'echo one', 'domid test', 'domstate test', 'quit'], 'Ctrl+G gave the empty line back; quit ran');
});

t.test('without a terminal, commands are read from standard input', async (t) => {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin, '-c', 'test:///default'], {
    input: 'domstate test\nfrobnicate\ndomid test\n', encoding: 'utf8',
  });
  t.equal(r.stdout, 'running\n\n1\n\n');
  t.equal(r.stderr, "error: unknown command: 'frobnicate'\n");
  const cd = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin, 'cd /tmp'], { encoding: 'utf8' });
  t.equal(cd.status, 1);
  t.equal(cd.stderr, 'error: cd: command valid only in interactive mode\n');
});
