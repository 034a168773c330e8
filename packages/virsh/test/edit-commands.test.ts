// edit, net-edit, pool-edit, snapshot-edit with a scripted editor ($VISUAL / $EDITOR): the
// object's XML in a temporary file, "not changed" when the editor saved the same text, the
// object defined again when it changed, and libvirt's answers when the definition fails:
// "error: Failed." without a terminal, and on a real pseudo-terminal the "Try again?"
// loop read one key at a time. Where libvirt's virsh is installed, the same runs of it
// print the same.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshEnv } from './fixtures/run-virsh.js';

t.setTimeout(240000);
const bin = new URL('../bin/virsh', import.meta.url).pathname;
const ptyDriver = new URL('./fixtures/pty-session.py', import.meta.url).pathname;
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find(existsSync);
const LIBVIRT_VIRSH = '/usr/bin/virsh';
const dir = mkdtempSync(join(tmpdir(), 'virsh-edit-'));
const tmp = mkdtempSync(join(dir, 'tmp-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** An editor script: `body` runs with the file as $1; each run is counted in the file `runs`. */
function editor(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho run >> ${join(dir, 'runs')}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const unchanged = editor('unchanged', 'cat "$1" > /dev/null');
const moreMemory = editor('more-memory', "sed -i 's|<currentMemory unit=.KiB.>[0-9]*</currentMemory>|<currentMemory unit=\"KiB\">1048576</currentMemory>|' \"$1\"");
const mtu = editor('mtu', "sed -i 's|<bridge |<mtu size=\"9000\"/><bridge |' \"$1\"");
const broken = editor('broken', 'echo "<domain" > "$1"');
const failing = editor('failing', 'exit 3');
// broken on its first run, then the original text with one change: 'y' brings the editor back
const fixedOnRetry = editor('fixed-on-retry', `if [ -f ${join(dir, 'saved')} ]; then sed 's|<currentMemory unit=.KiB.>[0-9]*</currentMemory>|<currentMemory unit="KiB">1048576</currentMemory>|' ${join(dir, 'saved')} > "$1"; else cp "$1" ${join(dir, 'saved')}; echo "<domain" > "$1"; fi`);

const runs = () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0);
const { VISUAL: _visual, ...noVisual } = virshEnv;
const env = (ed: string) => ({ ...noVisual, EDITOR: ed, TMPDIR: tmp });

function run(prog: string[], ed: string, script: string) {
  rmSync(join(dir, 'runs'), { force: true });
  const r = spawnSync(prog[0], [...prog.slice(1), '-c', 'test:///default', script], { encoding: 'utf8', env: env(ed), input: '', timeout: 60_000 });
  // the temporary file's random name is the only difference allowed
  const clean = (s: string) => s.replace(/virsh[A-Za-z0-9]{6}\.xml/g, 'virshXXXXXX.xml');
  return { out: clean(r.stdout), err: clean(r.stderr), rc: r.status, runs: runs() };
}
const ours = (ed: string, script: string) => run(['/usr/bin/env', '-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin], ed, script);

t.test('without a terminal: unchanged, edited, failed, editor failed', async (t) => {
  t.same(ours(unchanged, 'edit test'), { out: "Domain 'test' XML configuration not changed.\n\n", err: '', rc: 0, runs: 1 });
  const edited = ours(moreMemory, 'edit test; dumpxml test --inactive');
  t.match(edited.out, /^Domain 'test' XML configuration edited\.\n\n/);
  t.match(edited.out, /<currentMemory unit='KiB'>1048576</, 'the domain was defined from the edited file');
  t.same(ours('', 'edit test').err, "error: Cannot find '' in path: No such file or directory\n", 'an empty $EDITOR is looked up in $PATH, as libvirt\'s virsh does');
  t.match(ours(mtu, 'net-edit default').out, /^Network default XML configuration edited\.\n/);
  t.same(ours(unchanged, 'pool-edit default-pool'), { out: 'Pool default-pool XML configuration not changed.\n\n', err: '', rc: 0, runs: 1 });
  // libvirt's virsh, asked nothing, says Failed and then "edited" with no name, and succeeds
  t.same(ours(broken, 'edit test'), { out: "Domain '(null)' XML configuration edited.\n\n", err: 'error: Failed.\n', rc: 0, runs: 1 });
  t.same(ours(broken, 'net-edit default'), { out: 'Network (null) XML configuration edited.\n\n', err: 'error: Failed.\n', rc: 0, runs: 1 });
  t.same(ours(failing, 'edit test'), { out: '\n', err: `error: internal error: Child process (${failing} ${tmp}/virshXXXXXX.xml) unexpected exit status 3\n`, rc: 1, runs: 1 });
  t.same(ours(`${failing} --flag`, 'edit test').err, `error: internal error: Child process (sh -c '${failing} --flag ${tmp}/virshXXXXXX.xml') unexpected exit status 3\n`, 'an editor with arguments runs through sh');
  t.same(ours(join(dir, 'nonexistent'), 'edit test').err, `libvirt:  error : cannot execute binary ${join(dir, 'nonexistent')}: No such file or directory\nerror: internal error: Child process (${join(dir, 'nonexistent')} ${tmp}/virshXXXXXX.xml) unexpected exit status 127\n`);
  t.same(readdirSync(tmp), [], 'the temporary files are gone');
  t.same(ours(unchanged, 'snapshot-create-as test s1; snapshot-edit test s1').out, 'Domain snapshot s1 created\nSnapshot s1 XML configuration not changed.\n\n');
  t.same(ours(unchanged, 'snapshot-edit test').err, 'error: --snapshotname or --current is required\n');
  t.same(ours(unchanged, 'snapshot-edit test s1 --rename --clone').err, 'error: Options --rename and --clone are mutually exclusive\n');
});

t.test('the same runs of libvirt\'s virsh print the same', { skip: existsSync(LIBVIRT_VIRSH) ? false : 'libvirt\'s virsh is not installed (apt-get install libvirt-clients)' }, async (t) => {
  const cases: [string, string][] = [
    [unchanged, 'edit test'], [moreMemory, 'edit test; dumpxml test --inactive'], ['', 'edit test'], ['no-such-editor', 'edit test'], [broken, 'edit test'], [failing, 'edit test'], [`${failing} --flag`, 'edit test'],
    [unchanged, 'net-edit default'], [mtu, 'net-edit default; net-dumpxml default --inactive'], [broken, 'net-edit default'],
    [unchanged, 'pool-edit default-pool'], [broken, 'pool-edit default-pool'], [failing, 'pool-edit default-pool'],
    [unchanged, 'snapshot-create-as test s1; snapshot-edit test s1'], [unchanged, 'snapshot-edit test'], [unchanged, 'snapshot-edit test s1 --rename --clone'],
  ];
  for (const [ed, script] of cases) {
    const [a, b] = [ours(ed, script), run([LIBVIRT_VIRSH], ed, script)];
    t.same(a, b, `${ed.slice(dir.length + 1)}: ${script}`);
  }
});

/** virsh on a pseudo-terminal: wait for each prompt, answer with one key. */
function onTerminal(prog: string, ed: string, script: string, keys: string[]) {
  rmSync(join(dir, 'runs'), { force: true });
  rmSync(join(dir, 'saved'), { force: true });
  const steps = [{ expect: 'Try again?', timeout: 30 }, ...keys.flatMap((k) => [{ send: k }, { pause: 0.8 }])];
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', '-u', 'VISUAL', `EDITOR=${ed}`, `TMPDIR=${tmp}`, python!, ptyDriver, prog, '-c', 'test:///default', script], {
    input: JSON.stringify(steps), encoding: 'utf8', env: virshEnv, timeout: 90_000,
  });
  const res = JSON.parse(r.stdout) as { screen: string; status: number | null };
  return { ...res, runs: runs() };
}
const node = process.execPath;
const oursOnTerminal = (ed: string, script: string, keys: string[]) => {
  const wrapper = join(dir, 'virsh-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${node} ${bin} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return onTerminal(wrapper, ed, script, keys);
};

t.test('on a terminal: the Try again? loop', { skip: python ? false : 'needs python3 for its pty module' }, async (t) => {
  const prompt = '\rFailed. Try again? [y,n,i,f,?]: ';
  const help = '\r\ny - yes, start editor again\r\nn - no, throw away my changes\r\ni - turn off validation and try to redefine again\r\nf - force, try to redefine again\r\n? - print this help\r\n';
  const s = oursOnTerminal(broken, 'edit test', ['?', 'x', 'i', 'f', 'n']);
  t.equal(s.status, 1, 'n: the changes are thrown away and the command fails');
  t.equal(s.runs, 1, 'the editor ran once');
  const screen = s.screen.replace(/error: [^\r]*\r\n(?:[^\r]*\r\n)*?(?=\rFailed)/g, 'error: E\r\n');
  t.equal(screen, `error: E\r\n${prompt}${help}${prompt}${prompt}\r\r\nerror: E\r\n\rFailed. Try again? [y,n,f,?]: \r\r\nerror: E\r\n\rFailed. Try again? [y,n,f,?]: \r\r\n\r\n`,
    '? prints the choices, an unknown key asks again, i is offered once, f defines again, each failure is reported');
  const retry = oursOnTerminal(fixedOnRetry, 'edit test; dumpxml test --inactive', ['y']);
  t.equal(retry.status, 0);
  t.equal(retry.runs, 2, 'y: the editor ran again on the same file');
  t.match(retry.screen, /Domain 'test' XML configuration edited\.\r\n/);
  t.match(retry.screen, /<currentMemory unit='KiB'>1048576</);
  const net = oursOnTerminal(broken, 'net-edit default', ['n']);
  t.match(net.screen, /\rFailed\. Try again\? \[y,n,f,\?\]: \r\r\n\r\n$/, 'no i where the definition does not validate');
  if (existsSync(LIBVIRT_VIRSH)) {
    const theirs = onTerminal(LIBVIRT_VIRSH, broken, 'edit test', ['?', 'x', 'i', 'f', 'n']);
    // libvirt's virsh may say first that polkit is unavailable; its parse errors are libxml2's words
    const same = (x: string) => x.replace(/^Authorization not available[^\n]*\n/, '').replace(/error: [^\r]*\r\n(?:[^\r]*\r\n)*?(?=\rFailed)/g, 'error: E\r\n');
    t.equal(same(s.screen), same(theirs.screen), 'the same screen as libvirt\'s virsh');
    t.equal(s.status, theirs.status);
  }
});
