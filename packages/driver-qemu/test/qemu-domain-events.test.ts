// Domain events that a real QEMU reports without a guest OS's help, through core's
// public API on qemu:///session: a VNC client connecting and leaving (graphics), a
// cdrom tray opened by an eject (tray-change), a USB disk plugged and unplugged
// (device-added, device-removed: USB needs no guest to let go) and a vCPU pinned
// (tunable). The guest is diskless and never boots an OS.

import { rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { open, type DomainEvent } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t, { type Test } from 'tap';
import { driver } from '../src/driver.js';
import { privateSession } from './fixtures/private-session.js';

const dir = privateSession('tsvirt-qemu-events-');
registerDriver(driver);
t.setTimeout(240_000);

const iso = path.join(dir, 'media.iso');
writeFileSync(iso, Buffer.alloc(1 << 20));
const usbImage = path.join(dir, 'usb.img');
writeFileSync(usbImage, Buffer.alloc(1 << 20));

const xml = `<domain type='qemu'>
  <name>events</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <disk type='file' device='cdrom'><source file='${iso}'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>`;

/** A VNC client: the RFB 3.8 handshake with no authentication, up to the server's init message, then gone. */
async function vncSession(t: Test, port: number): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); });
  const read = async (n: number) => {
    const deadline = Date.now() + 20_000;
    while (buf.length < n) {
      if (Date.now() > deadline) throw new Error(`VNC server sent ${buf.length} of ${n} bytes`);
      await sleep(10);
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  t.equal((await read(12)).toString(), 'RFB 003.008\n', 'the server speaks RFB 3.8');
  sock.write('RFB 003.008\n');
  const count = (await read(1))[0]!;
  t.ok([...(await read(count))].includes(1), 'it offers no authentication');
  sock.write(Buffer.from([1]));
  t.equal((await read(4)).readUInt32BE(0), 0, 'security handshake passed');
  sock.write(Buffer.from([1])); // ClientInit: shared
  await read(24); // ServerInit: size, pixel format, name length
  sock.destroy();
}

t.test('graphics, tray-change, device-added, device-removed and tunable from a real QEMU', async (t) => {
  const conn = await open('qemu:///session');
  const events: DomainEvent[] = [];
  await conn.domainEventRegister((e) => { if (e.kind !== 'lifecycle') events.push(e); });
  const dom = await conn.defineDomainXML(xml);
  t.teardown(async () => {
    await dom.destroy().catch(() => undefined);
    await dom.undefine().catch(() => undefined);
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await dom.create();
  const waitFor = async (what: string, match: (e: DomainEvent) => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!events.some(match)) {
      if (Date.now() > deadline) throw new Error(`no ${what} event; heard: ${JSON.stringify(events.map((e) => e.kind))}`);
      await sleep(20);
    }
    return events.find(match)!;
  };

  const port = Number(/<graphics type='vnc' port='(\d+)'/.exec(await dom.getXMLDesc())![1]);
  await vncSession(t, port);
  for (const phase of [0, 1, 2]) {
    const e = await waitFor(`graphics phase ${phase}`, (x) => x.kind === 'graphics' && x.phase === phase);
    t.match(e, { domain: { name: 'events' }, local: { family: 0, node: '127.0.0.1', service: String(port) }, remote: { family: 0, node: '127.0.0.1' }, authScheme: 'none' }, `graphics ${['connect', 'initialize', 'disconnect'][phase]}`);
  }

  await dom.updateDevice("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>", 1);
  t.match(await waitFor('tray-change', (x) => x.kind === 'trayChange'), { devAlias: 'ide0-1-0', reason: 0 }, 'the eject opened the tray');

  const usb = `<disk type='file' device='disk'><source file='${usbImage}'/><target dev='sdb' bus='usb'/></disk>`;
  await dom.attachDevice(usb, 1);
  const added = await waitFor('device-added', (x) => x.kind === 'deviceAdded');
  t.match(added, { kind: 'deviceAdded', devAlias: /^usb-disk/ });
  await dom.detachDevice(usb, 1);
  t.match(await waitFor('device-removed', (x) => x.kind === 'deviceRemoved'), { devAlias: (added as { devAlias: string }).devAlias }, 'QEMU let go of the same device');

  await dom.pinVcpu(0, [0], 1);
  t.same((await waitFor('tunable', (x) => x.kind === 'tunable') as { params: unknown }).params, { 'cputune.vcpupin0': '0' });
});
