// tsvirtd opens its QEMU instance at start, so that the driver's start-up work
// (autostart) happens with the daemon, before any client connects.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { open } from '@tsvirt/core';
import { startupUris } from '../src/driver-startup.js';
import { NODE, VIRSH, startDaemon, stopAfterDestroying } from './fixtures/daemon-harness.js';

const hasQemu = spawnSync('qemu-system-x86_64', ['--version']).status === 0;

t.test('a domain marked autostart is started when the daemon starts', { skip: !hasQemu && 'no qemu-system-x86_64' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-autostart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const qemuEnv = { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') };
  const uri = startupUris()[0]!;
  // Locally, without the daemon: the virsh process's own first open is the one that autostarts.
  const virsh = (...args: string[]) => spawnSync('/usr/bin/env', [...NODE, VIRSH, '-c', uri, ...args],
    { encoding: 'utf8', env: { ...process.env, ...qemuEnv } });
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

t.test('a restarted daemon finds its running QEMU guests again', { skip: !hasQemu && 'no qemu-system-x86_64' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-restart-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') };
  const first = await startDaemon([], undefined, { env });
  const [scheme, path] = startupUris()[0]!.split(':///');
  const uri = `${scheme}+unix:///${path}?socket=${first.rw}`;
  const conn = await open(uri);
  const dom = await conn.defineDomainXML(`<domain type='qemu'><name>survivor</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`);
  await dom.create();
  const id = (await conn.lookupDomainByName('survivor')).id;
  const pid = Number(readFileSync(join(env.TSVIRT_QEMU_RUN_DIR, 'survivor.pid'), 'utf8'));
  t.equal(await first.stop(), 0, 'SIGTERM: a clean exit');
  t.doesNotThrow(() => process.kill(pid, 0), 'the guest runs on without its daemon');

  const second = await startDaemon([], first.dir, { env });
  stopAfterDestroying(t, second, uri, 'survivor');
  const again = await open(uri);
  const found = await again.lookupDomainByName('survivor');
  t.equal(found.id, id, 'the same guest, under the same id');
  t.same(await found.getState(), { state: 1, reason: 1 }, 'running (booted)');
  await found.suspend();
  t.same(await found.getState(), { state: 3, reason: 1 }, 'its monitor answers the new daemon: paused (user)');
  await found.destroy();
  // Its parent was the first daemon: whoever inherited it reaps it in its own time.
  const gone = () => !existsSync(`/proc/${pid}`) || /^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const deadline = Date.now() + 5000;
  while (!gone() && Date.now() < deadline) await sleep(20);
  t.ok(gone(), 'and it can be destroyed');
  await Promise.all([conn.close(), again.close()]);
});

t.test('a guest named with commas, spaces and quotes runs as the dedicated user and is found again by a restarted daemon', { skip: (!hasQemu && 'no qemu-system-x86_64') || (process.getuid?.() !== 0 && 'needs root: qemu:///system runs QEMU as tsvirt-qemu') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-names-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { TSVIRT_QEMU_CONFIG_DIR: join(dir, 'config'), TSVIRT_QEMU_RUN_DIR: join(dir, 'run') };
  const name = "a,b c'd \"e\" <f>&g=h:i,,";
  const first = await startDaemon([], undefined, { env });
  const uri = `qemu+unix:///system?socket=${first.rw}`;
  const conn = await open(uri);
  const dom = await conn.defineDomainXML(`<domain type='qemu'><name>${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;')}</name>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`);
  await dom.create();
  const pid = Number(/pid='(\d+)'/.exec(readFileSync(join(env.TSVIRT_QEMU_RUN_DIR, `${name}.xml`), 'utf8'))![1]);
  // Created by the driver when missing, as a distribution's package creates libvirt-qemu.
  const user = spawnSync('id', ['-u', 'tsvirt-qemu'], { encoding: 'utf8' });
  t.equal(user.status, 0, 'the dedicated user exists');
  t.match(readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`^Uid:\\s+${Number(user.stdout)}\\s`, 'm'), 'QEMU runs as tsvirt-qemu');
  t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), "guest=a,,b c'd \"e\" <f>&g=h:i,,,,,", 'commas doubled in QEMU\'s option syntax');
  await conn.close();
  t.equal(await first.stop(), 0);

  const second = await startDaemon([], first.dir, { env });
  stopAfterDestroying(t, second, uri, name);
  const listed = spawnSync('/usr/bin/env', [...NODE, VIRSH, '-c', uri, 'list', '--name'], { encoding: 'utf8' });
  t.equal(listed.stdout, `${name}\n\n`, 'virsh lists it by its name after the restart');
  const again = await open(uri);
  const found = await again.lookupDomainByName(name);
  t.same(await found.getState(), { state: 1, reason: 1 }, 'running, its monitor reattached');
  await found.suspend();
  t.same(await found.getState(), { state: 3, reason: 1 }, 'the monitor answers: paused (user)');
  await found.destroy();
  await found.undefine();
  await again.close();
});
