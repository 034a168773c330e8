import { spawnSync } from 'node:child_process';
import t from 'tap';
import { virshEnv } from './fixtures/run-virsh.js';

// Through env(1) without tap's loader hooks, as in virsh-cli.test.ts. Events over a
// daemon are tested in packages/daemon/test/unix-sockets.test.ts.
const env = virshEnv;
const bin = new URL('../bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin, '-c', 'test:///default', ...args], { encoding: 'utf8', env });
  return { out: r.stdout, err: r.stderr, rc: r.status };
};

t.test('event: options checked as libvirt\'s virsh checks them', async (t) => {
  // libvirt 9.0's 27 domain event ids, in id order, by virsh's names
  const names = ['lifecycle', 'reboot', 'rtc-change', 'watchdog', 'io-error', 'graphics', 'io-error-reason', 'control-error', 'block-job', 'disk-change',
    'tray-change', 'pm-wakeup', 'pm-suspend', 'balloon-change', 'pm-suspend-disk', 'device-removed', 'block-job-2', 'tunable', 'agent-lifecycle',
    'device-added', 'migration-iteration', 'job-completed', 'device-removal-failed', 'metadata-change', 'block-threshold', 'memory-failure',
    'memory-device-size-change'];
  t.same(virsh('event', '--list'), { out: `${names.join('\n')}\n\n`, err: '', rc: 0 });
  t.same(virsh('event'), { out: '\n', err: 'error: one of --list, --all, or --event <type> is required\n', rc: 1 });
  t.same(virsh('event', '--all', '--event', 'lifecycle'), { out: '\n', err: 'error: Options --all and --event are mutually exclusive\n', rc: 1 });
  t.same(virsh('event', '--event', 'bogus'), { out: '\n', err: 'error: unknown event type bogus\n', rc: 1 });
});

t.test('event --timeout ends the wait with libvirt\'s lines and fails when nothing came', async (t) => {
  t.same(virsh('event', '--all', '--loop', '--timeout', '1'), { out: 'event loop timed out\nevents received: 0\n\n', err: '', rc: 1 });
});
