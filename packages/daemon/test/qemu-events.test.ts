// Domain events from a real QEMU through tsvirtd: tsvirt's client hears them (the
// scenario of driver-qemu's tests), and so does libvirt's own virsh over libvirt's
// REMOTE program, printing each as it prints libvirtd's.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { open } from '@tsvirt/core';
import t from 'tap';
import { deviceEventsScenario } from '../../driver-qemu/test/fixtures/device-events.js';
import { startDaemon, stopAfterDestroying } from './fixtures/daemon-harness.js';

t.setTimeout(300_000);
const LIBVIRT_VIRSH = '/usr/bin/virsh';
const haveLibvirtVirsh = spawnSync(LIBVIRT_VIRSH, ['--version']).status === 0;

t.test('events of a real QEMU through tsvirtd, to tsvirt\'s client and to libvirt\'s virsh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirtd-qemu-events-'));
  // QEMU under qemu:///system runs as its own user: it must reach the images
  chmodSync(dir, 0o755);
  const daemon = await startDaemon();
  const uri = `qemu+unix:///system?socket=${daemon.rw}`;
  stopAfterDestroying(t, daemon, uri, 'devevents');
  t.teardown(async () => {
    const c = await open(uri).catch(() => null);
    await c?.lookupDomainByName('devevents').then((d) => d.undefine()).catch(() => undefined);
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // libvirt's virsh watches every event over the REMOTE program while tsvirt's client acts
  let watched = '';
  const watcher = haveLibvirtVirsh ? spawn(LIBVIRT_VIRSH, ['-c', uri, 'event', '--all', '--loop'], { stdio: ['ignore', 'pipe', 'ignore'] }) : null;
  watcher?.stdout.on('data', (d: Buffer) => { watched += d.toString(); });
  t.teardown(() => { watcher?.kill(); });
  await sleep(1500);
  const conn = await open(uri);
  t.teardown(() => conn.close());
  await deviceEventsScenario(t, conn, 'devevents', dir);
  if (!watcher) return;
  const deadline = Date.now() + 20_000;
  while (!watched.includes("event 'tunable'") && Date.now() < deadline) await sleep(50);
  const line = (kind: string) => watched.split('\n').find((l) => l.startsWith(`event '${kind}' for domain 'devevents'`));
  t.match(line('graphics'), /: connect local\[IPv4 127\.0\.0\.1 \d+\] remote\[IPv4 127\.0\.0\.1 \d+\] none$/, 'graphics, as libvirt\'s virsh prints it');
  t.equal(line('tray-change'), "event 'tray-change' for domain 'devevents' disk ide0-1-0: opened");
  t.match(line('device-added'), /: usb-disk\d+$/);
  t.match(line('device-removed'), /: usb-disk\d+$/);
  t.match(watched, /event 'tunable' for domain 'devevents':\n\tcputune\.vcpupin0: 0\n/);
});
