// virsh console opens the guest's pty itself (tsvirt has no streams yet), which
// only works on the connection's host: over a remote URI it refuses clearly.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { DRIVER_CWD, NODE, VIRSH, freePort, startDaemon } from './fixtures/daemon-harness.js';

const PTY_SESSION = new URL('../../virsh/test/fixtures/pty-session.py', import.meta.url).pathname;

t.test('virsh console over test+tcp://HOST: a clear error, exit 1', async (t) => {
  const port = await freePort();
  const daemon = await startDaemon(['--listen', `tcp://127.0.0.1:${port}`]);
  t.teardown(() => daemon.stop());
  const uri = `test+tcp://127.0.0.1:${port}/default`;
  // On a pty, as a user runs it: console's checks for a terminal pass.
  const r = spawnSync('python3', [PTY_SESSION, '/usr/bin/env', ...NODE, VIRSH, '-c', uri, 'console', 'test'],
    { input: '[]', encoding: 'utf8', cwd: DRIVER_CWD });
  const { screen, status } = JSON.parse(r.stdout) as { screen: string; status: number };
  t.match(screen, `error: Operation not supported: console needs a local connection for now, '${uri}' is remote`);
  t.notMatch(screen, 'Connected to domain');
  t.equal(status, 1);
});
