// tsvirtd opens its QEMU instance at start, so that the driver's start-up work
// (autostart) happens with the daemon, before any client connects.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startupUris } from '../src/driver-startup.js';
import { DRIVER_CWD, NODE, VIRSH, startDaemon } from './fixtures/daemon-harness.js';

const hasQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0;

t.test('a domain marked autostart is started when the daemon starts', { skip: !hasQemu && 'no qemu-system-x86_64' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-autostart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const qemuEnv = { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') };
  const uri = startupUris()[0]!;
  // Locally, without the daemon: the virsh process's own first open is the one that autostarts.
  const virsh = (...args: string[]) => spawnSync('/usr/bin/env', [...NODE, VIRSH, '-c', uri, ...args],
    { encoding: 'utf8', cwd: DRIVER_CWD, env: { ...process.env, ...qemuEnv } });
  const xml = join(dir, 'auto.xml');
  writeFileSync(xml, `<domain type='qemu'><name>auto</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>\n`);
  t.equal(virsh('define', xml).status, 0);
  t.equal(virsh('autostart', 'auto').status, 0);
  rmSync(join(qemuEnv.TSVIRT_QEMU_RUN_DIR, 'autostarted')); // a new boot, as far as the driver can tell

  const daemon = await startDaemon([], undefined, { env: qemuEnv });
  t.teardown(() => virsh('destroy', 'auto'));
  const state = join(qemuEnv.TSVIRT_QEMU_RUN_DIR, 'auto.xml');
  const running = () => existsSync(state) && /<domstatus[^>]*state='1'/.test(readFileSync(state, 'utf8'));
  const deadline = Date.now() + 10_000;
  while (!running() && Date.now() < deadline) await sleep(50);
  t.ok(running(), 'the daemon started it with no client connected');
  t.equal(await daemon.stop(), 0);
  t.equal(virsh('domstate', 'auto').stdout, 'running\n\n', 'and it runs on after the daemon stops');
});
