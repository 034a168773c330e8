// Boots the tiny real guest under TCG, waits for its ready line on the serial
// console, presses the ACPI power button and expects a guest-initiated SHUTDOWN.

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { QemuProcess } from '../src/qemu-process.js';
import type { QmpEvent } from '../src/qmp/qmp-wire.js';
import { GUEST_READY_LINE, tinyGuest } from './fixtures/guest/tiny-guest.js';

const QEMU = process.env.TSVIRT_QEMU ?? 'qemu-system-x86_64';
// The first run downloads and builds the guest; TCG boots are slow on a busy host.
t.setTimeout(300_000);

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-guest-boot-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** `promise`, or a clear failure after `ms` instead of waiting for tap's timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the time at which `line` appears in the serial output. */
function waitForLine(socket: net.Socket, line: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('latin1')).slice(-4096);
      if (seen.includes(line)) {
        socket.off('data', onData);
        resolve(performance.now());
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`serial console closed before "${line}"; last output: ${JSON.stringify(seen.slice(-500))}`)));
  });
}

const buildStart = performance.now();
const guest = await tinyGuest();
if (!('skip' in guest)) t.comment(`guest (${guest.kernelPackage}) ready in ${(performance.now() - buildStart).toFixed(0)} ms (build or cache hit)`);

t.test('tiny guest boots under TCG and powers off on system_powerdown', { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
  if ('skip' in guest) return;

  const serialPath = path.join(dir, 'serial.sock');
  const qemu = await QemuProcess.start({
    binary: QEMU,
    args: [
      '-machine', 'pc', '-accel', 'tcg', '-m', '128', '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none',
      // Paused until the serial console is connected, so that no output is lost.
      '-S',
      '-kernel', guest.kernel, '-initrd', guest.initrd, '-append', 'console=ttyS0 quiet',
      '-chardev', `socket,id=serial0,path=${serialPath},server=on,wait=off`, '-serial', 'chardev:serial0',
    ],
    monitorPath: path.join(dir, 'tiny.qmp'),
    pidFile: path.join(dir, 'tiny.pid'),
    logFile: path.join(dir, 'tiny.log'),
  });
  t.teardown(() => qemu.kill());
  t.comment(`exec to QMP ready: ${qemu.startupMs.toFixed(1)} ms`);

  const serial = net.createConnection(serialPath);
  await once(serial, 'connect');
  t.teardown(() => serial.destroy());
  const ready = waitForLine(serial, GUEST_READY_LINE);

  const events: QmpEvent[] = [];
  qemu.qmp.on('event', (e) => events.push(e));
  const bootStart = performance.now();
  await qemu.qmp.execute('cont');
  const readyAt = await within(ready, 120_000, `${GUEST_READY_LINE} on the serial console`);
  t.comment(`cont to ${GUEST_READY_LINE}: ${(readyAt - bootStart).toFixed(0)} ms`);

  const shutdown = new Promise<{ event: QmpEvent; at: number }>((resolve) => {
    const onEvent = (event: QmpEvent): void => {
      if (event.event !== 'SHUTDOWN') return;
      qemu.qmp.off('event', onEvent);
      resolve({ event, at: performance.now() });
    };
    qemu.qmp.on('event', onEvent);
  });
  const powerdownAt = performance.now();
  await qemu.qmp.execute('system_powerdown');
  const { event, at } = await within(shutdown, 30_000, 'SHUTDOWN event after system_powerdown');
  t.comment(`system_powerdown to SHUTDOWN: ${(at - powerdownAt).toFixed(0)} ms`);
  t.same(event.data, { guest: true, reason: 'guest-shutdown' });
  t.same(events.map((e) => e.event), ['RESUME', 'POWERDOWN', 'SHUTDOWN']);

  // Without -no-shutdown, QEMU exits by itself once the guest is off.
  t.same(await qemu.exited, { code: 0, signal: null });
});
