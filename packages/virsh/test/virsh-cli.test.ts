import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshEnv } from './fixtures/run-virsh.js';

// Children run the built CLI as a user would: through env(1), so that tap's spawn
// hooks (which re-add their loaders to NODE_OPTIONS) do not reach it.
const env = virshEnv;
const node = ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath];

const bin = new URL('../bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => {
  const r = spawnSync('/usr/bin/env', [...node, bin, ...args], { encoding: 'utf8', env });
  return { out: r.stdout, err: r.stderr, rc: r.status };
};
const dir = mkdtempSync(join(tmpdir(), 'virsh-test-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const newdom = file('newdom.xml', "<domain type='test'><name>newdom</name><uuid>11111111-2222-3333-4444-555555555555</uuid><memory unit='MiB'>128</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os></domain>");

t.test('list --all prints libvirt\'s table', async (t) => {
  t.same(virsh('-c', 'test:///default', 'list', '--all'), { out: ' Id   Name   State\n----------------------\n 1    test   running\n\n', err: '', rc: 0 });
  t.same(virsh('-q', '-c', 'test:///default', 'list', '--all'), { out: ' 1   test   running\n', err: '', rc: 0 });
});

t.test('a script runs its commands in one connection; the exit code is the last command\'s', async (t) => {
  const r = virsh('-c', 'test:///default', `define ${newdom}; start newdom; list --all --name; domid newdom; suspend newdom; domstate --reason newdom; destroy newdom; domstate --reason newdom`);
  t.equal(r.out, `Domain 'newdom' defined from ${newdom}\n\nDomain 'newdom' started\n\ntest\nnewdom\n\n2\n\nDomain 'newdom' suspended\n\npaused (user)\n\nDomain 'newdom' destroyed\n\nshut off (destroyed)\n\n`);
  t.equal(r.rc, 0);
  const twice = virsh('-c', 'test:///default', 'destroy test; destroy test');
  t.equal(twice.rc, 1);
  t.equal(twice.err, "error: Failed to destroy domain 'test'\nerror: Requested operation is not valid: domain is not running\n");
});

t.test('bad input: libvirt\'s messages and exit codes', async (t) => {
  t.same(virsh('-c', 'test:///default', 'frobnicate'), { out: '', err: "error: unknown command: 'frobnicate'\n", rc: 1 });
  t.same(virsh('-c', 'test:///default', 'list; frobnicate'), { out: '', err: "error: unknown command: 'frobnicate'\n", rc: 1 }, 'a bad script runs nothing');
  t.same(virsh('-c', 'test:///default', 'list', '--bogus'), { out: '', err: "error: command 'list' doesn't support option --bogus\n", rc: 1 });
  t.same(virsh('-c', 'test:///default', 'dominfo'), { out: '', err: "error: command 'dominfo' requires <domain> option\n", rc: 1 });
  t.same(virsh('-c', 'test:///default', 'dominfo test extra'), { out: '', err: "error: unexpected data 'extra'\n", rc: 1 });
  t.same(virsh('-c', 'test:///default', 'domname', '99'), { out: '\n', err: "error: failed to get domain '99'\n", rc: 1 });
  t.same(virsh('--bogus-option'), { out: '', err: "error: unsupported option '--bogus-option'. See --help.\n", rc: 1 });
  t.same(virsh('-k', 'soon', 'list'), { out: '', err: 'error: Invalid value for option -k\n', rc: 1 });
  t.same(virsh('-K', '-2', 'list'), { out: '', err: 'error: option -K requires a positive integer argument\n', rc: 1 });
  const bad = file('bad.xml', "<domain type='test'><name>bad</name>\n");
  t.same(virsh('-c', 'test:///default', 'define', bad), { out: '\n', err: `error: Failed to define domain from ${bad}\nerror: (domain_definition):2: Premature end of data in tag domain line 1\n(null)\n^\n`, rc: 1 });
  t.same(virsh('-c', 'test:///default', 'define', '/nonexistent/file.xml'), { out: '\n', err: "error: Failed to open file '/nonexistent/file.xml': No such file or directory\n", rc: 1 });
  t.same(virsh('-c', 'test:///default', 'start', 'test'), { out: '\n', err: 'error: Domain is already active\n', rc: 1 });
  t.same(virsh('-r', '-c', 'test:///default', 'destroy', 'test'), { out: '\n', err: "error: Failed to destroy domain 'test'\nerror: operation forbidden: read only access prevents virDomainDestroy\n", rc: 1 });
  const noUri = virsh('-c', 'bogus:///x', 'list');
  t.equal(noUri.rc, 1);
  t.equal(noUri.err, 'error: failed to connect to the hypervisor\nerror: no connection driver available for bogus:///x\n');
  const badUri = virsh('-c', 'not a uri', 'list');
  t.equal(badUri.rc, 1);
  t.match(badUri.err, /^error: failed to connect to the hypervisor\nerror: internal error: Unable to parse URI not a uri\n$/);
});

const compat = new URL('../../../../shared/tools/virsh-compat.mjs', import.meta.url).pathname;
t.test('libvirt\'s recorded virsh sessions', { timeout: 300000, skip: existsSync(compat) ? false : 'needs ../shared/tools/virsh-compat.mjs (absent outside CI and developer machines)' }, async (t) => {
  const r = spawnSync('/usr/bin/env', [...node, compat, '--virsh', bin], { encoding: 'utf8', timeout: 300000, env });
  const [, passed] = /(\d+) passed, (\d+) failed\s*$/.exec(r.stdout) ?? [];
  t.ok(Number(passed) >= 131, `at least 131 of 140 sessions match libvirt's virsh (now ${passed}; the others are the deliberate differences of driver-test/DIFFERENCES.md and help's list)`);
  for (const name of ['list-all', 'list-quiet', 'list-after-changes', 'dominfo-test', 'domstate-test', 'define-start', 'shutdown', 'resume', 'suspend-domstate', 'destroy-twice', 'undefine-running', 'reset', 'err-readonly-destroy']) {
    t.match(r.stdout, new RegExp(`^ok +${name}$`, 'm'), name);
  }
});
