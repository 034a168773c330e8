// tsvirt's virsh against a real libvirtd's test driver (a private one, started here):
// libvirt's recorded virsh sessions on test:///default, replayed with each session's
// `-c test://PATH` pointed at that daemon (test+unix://PATH?socket=…). libvirtd starts
// each session's test:///default afresh (it frees it when its last client leaves), as a
// fresh libvirt virsh process finds it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';
import { virshEnv } from './fixtures/run-virsh.js';

const compat = new URL('../../../../shared/tools/virsh-compat.mjs', import.meta.url).pathname;
const bin = new URL('../bin/virsh', import.meta.url).pathname;
const missing = (!existsSync(compat) && 'needs ../shared/tools/virsh-compat.mjs (absent outside CI and developer machines)') || libvirtdMissing();

/**
 * The sessions that must pass: those of each part of the remote program that virsh uses.
 * (The custom-node sessions begin with `uri`, which answers the URI virsh opened, as
 * libvirt's client does: through the wrapper that is the test+unix one, not the recorded
 * test:// one, so they cannot match here.)
 */
const REQUIRED = [
  'list-all', 'dominfo-test', 'domstate-test', 'define-start', 'shutdown', 'resume', 'suspend-domstate', 'destroy-twice',
  'undefine-running', 'err-readonly-destroy', 'snapshot', 'vol-create-as', 'nodecpustats', 'numatune',
  'vcpuinfo', 'vcpupin', 'emulatorpin', 'domstats-test',
];

t.test('libvirt\'s recorded virsh sessions, through libvirtd', { timeout: 600000, skip: missing }, async (t) => {
  const daemon = await startPrivateLibvirtd();
  const dir = mkdtempSync(join(tmpdir(), 'virsh-libvirtd-'));
  t.teardown(async () => { rmSync(dir, { recursive: true, force: true }); await daemon.stop(); });
  // virsh with its test:// URIs pointed at the daemon; everything else as given
  const wrapper = join(dir, 'virsh-via-libvirtd.mjs');
  writeFileSync(wrapper, `import { spawnSync } from 'node:child_process';
const args = process.argv.slice(2);
for (let i = 0; i < args.length - 1; i++) {
  if (args[i] === '-c' && args[i + 1].startsWith('test://')) args[i + 1] = 'test+unix://' + args[i + 1].slice(7) + '?socket=${daemon.rw}';
}
process.exit(spawnSync(process.execPath, [${JSON.stringify(bin)}, ...args], { stdio: 'inherit' }).status ?? 1);
`);
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, compat, '--virsh', `${process.execPath} ${wrapper}`],
    { encoding: 'utf8', timeout: 600000, env: virshEnv });
  const [, passed] = /(\d+) passed, (\d+) failed\s*$/.exec(r.stdout) ?? [];
  t.ok(Number(passed) >= 135, `at least 135 of 140 sessions match libvirt's virsh (now ${passed}; failing: ${r.stdout.match(/^FAIL \S+/gm)?.join(', ')})`);
  for (const name of REQUIRED) t.match(r.stdout, new RegExp(`^ok +${name}$`, 'm'), name);
});
