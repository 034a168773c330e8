// A script that forgets to close its connection to tsvirtd still ends once nothing is
// under way; a registered event listener keeps it running, as it waits for events.
import { spawn } from 'node:child_process';
import t from 'tap';
import { NODE, startDaemon } from './fixtures/daemon-harness.js';

const CORE = new URL('../../core/dist/index.js', import.meta.url).pathname;

/** Runs `body` in a fresh Node with `conn` open on the daemon; resolves with its exit code and output, or 'running' after `waitMs`. */
function client(sock: string, body: string, waitMs: number): Promise<{ code: number | null; out: string } | 'running'> {
  const script = `const { open } = await import(${JSON.stringify(CORE)}); const conn = await open(${JSON.stringify(`test+unix:///default?socket=${sock}`)}); ${body}`;
  const child = spawn('/usr/bin/env', [...NODE, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('running'); }, waitMs);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

t.test('an idle remote connection does not keep the process alive; a listener or a call under way does', async (t) => {
  const daemon = await startDaemon();
  t.teardown(() => daemon.stop());
  // Generous: a loaded machine starts Node slowly; a held process would run until killed.
  t.same(await client(daemon.rw, "console.log(await conn.getType(), (await conn.listAllDomains()).length);", 60_000), { code: 0, out: 'TEST 1\n' },
    'ends after its calls although the connection was never closed');
  t.equal(await client(daemon.rw, "await conn.domainEventRegister(() => {}); console.log('listening');", 3_000), 'running',
    'a registered listener keeps it running');
  t.same(await client(daemon.rw, "const id = await conn.domainEventRegister(() => {}); await conn.domainEventDeregister(id); console.log('done');", 60_000),
    { code: 0, out: 'done\n' }, 'ends once the listener is deregistered');
});
