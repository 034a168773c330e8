// Hot-plug on real guests as virt-install defines them (no controllers, no balloon, no
// addresses), on both x86 machines: q35 (PCI Express, root ports) and pc (i440FX, ACPI
// hot-plug on the root bus). Disks and NICs in and out, a managed save and a save to a
// file after a hot-plug (the restored QEMU must have the same devices at the same
// addresses), and the balloon the driver adds. One virsh process per command, as a user
// runs them; the tiny guest boots under TCG.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { QmpClient } from '../src/qmp/qmp-client.js';
import { GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { succeeds, until, virshQemu } from './fixtures/virsh-qemu.js';

t.setTimeout(600_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-hotplug-'));
const { virsh, runDir } = virshQemu(dir);
t.teardown(async () => {
  // Never leave a guest behind, whatever failed.
  for (const name of ['hp-q35', 'hp-pc']) await virsh('destroy', name);
  rmSync(dir, { recursive: true, force: true });
});

const guest = await tinyGuest();

interface PciDevice { qdev_id: string; slot: number; function: number; pci_bridge?: { devices: PciDevice[] } }
/** Every device QEMU has on its PCI buses, by id, with the slot it sits in. */
async function pciDevices(monitor: string): Promise<Map<string, number>> {
  const qmp = await QmpClient.connect({ socketPath: monitor });
  const buses = await qmp.execute<Array<{ devices: PciDevice[] }>>('query-pci');
  await qmp.close();
  const out = new Map<string, number>();
  const walk = (devices: PciDevice[]) => {
    for (const d of devices) {
      if (d.qdev_id) out.set(d.qdev_id, d.slot);
      if (d.pci_bridge) walk(d.pci_bridge.devices);
    }
  };
  for (const bus of buses) walk(bus.devices);
  return out;
}

for (const machine of ['q35', 'pc'] as const) {
  t.test(`${machine}: defaults, disk and NIC hot-plug and unplug, managed save and save/restore after hot-plug, setmem --live`, { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
    if ('skip' in guest) return;
    const name = `hp-${machine}`;
    const serialLog = path.join(dir, `${name}.serial`);
    const image = path.join(dir, `${name}-data.img`);
    writeFileSync(image, Buffer.alloc(4 << 20));
    const xml = path.join(dir, `${name}.xml`);
    writeFileSync(xml, tinyGuestDomainXml(guest, name, serialLog).replace("machine='pc'", `machine='${machine}'`));
    const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
    const ok = succeeds(t, virsh);
    await ok('define', xml);
    const inactive = await ok('dumpxml', '--inactive', name);
    t.match(inactive, machine === 'q35' ? "machine='pc-q35-7.2'" : "machine='pc-i440fx-7.2'", 'the machine alias is expanded');
    t.match(inactive, /<memballoon model='virtio'>\n\s+<address type='pci'/, 'a balloon with its address');
    // On q35: a root port each for the USB controller and the balloon, and a spare one.
    if (machine === 'q35') t.match(inactive, /<controller type='pci' index='3' model='pcie-root-port'>/, 'root ports: two used, one spare');
    const uuid = (await ok('domuuid', name)).trim();
    const monitor = path.join(runDir, `${uuid}.qmp`);

    await ok('start', name);
    await until(`${GUEST_READY_LINE} on the serial console`, () => serial().includes(GUEST_READY_LINE), 180_000);

    // setmem --live works without an explicit balloon: the driver added one.
    await ok('setmem', name, '100M', '--live');
    t.match(await ok('dominfo', name), /Used memory: +102400 KiB/);

    // A disk in, at the spare root port (q35) or the next free slot (pc), where the live XML says.
    await ok('attach-disk', name, image, 'vdb', '--live');
    const live = await ok('dumpxml', name);
    const address = new RegExp(`<target dev='vdb' bus='virtio'/>\\s+<alias name='virtio-disk1'/>\\s+<address type='pci' domain='0x0000' bus='(0x[0-9a-f]+)' slot='(0x[0-9a-f]+)'`).exec(live);
    t.ok(address, 'the hot-plugged disk has an alias and a PCI address in the live XML');
    const devicesBefore = await pciDevices(monitor);
    t.ok(devicesBefore.has('virtio-disk1'), 'QEMU has the disk on its PCI bus');
    if (machine === 'pc') t.equal(devicesBefore.get('virtio-disk1'), Number(address![2]), 'in the slot the XML names');
    if (machine === 'q35') {
      t.equal(address![1], '0x03', 'on the spare root port');
      // The spare port is taken now; no root port can be added to a running q35 guest.
      const noRoom = await virsh('attach-interface', name, 'user', 'x', '--model', 'virtio', '--live');
      t.equal(noRoom.code, 1);
      t.match(noRoom.stderr, /No more available PCI slots/);
    }

    // A managed save after the hot-plug comes back with the disk, at the same place.
    await ok('managedsave', name);
    t.match(await ok('domstate', '--reason', name), /shut off \(saved\)/);
    await ok('start', name);
    t.match(await ok('domstate', '--reason', name), /running \(restored\)/);
    t.match(await ok('domblklist', name), new RegExp(`^ vdb +${image}$`, 'm'), 'the hot-plugged disk is back');
    t.same(await pciDevices(monitor), devicesBefore, 'the same PCI layout after the restore');

    // detach-disk lets it go (the guest ejects the card).
    t.match(await ok('detach-disk', name, 'vdb', '--live'), /Disk detached successfully/);
    t.notMatch(await ok('domblklist', name), /vdb/);
    t.notOk((await pciDevices(monitor)).has('virtio-disk1'), 'off the PCI bus');

    // A NIC in and out, in the slot the disk left.
    t.match(await ok('attach-interface', name, 'user', 'x', '--model', 'virtio', '--mac', '52:54:00:aa:bb:01', '--live'), /Interface attached successfully/);
    t.ok((await pciDevices(monitor)).has('net0'), 'QEMU has the NIC');
    t.match(await ok('detach-interface', name, 'user', '--mac', '52:54:00:aa:bb:01', '--live'), /Interface detached successfully/);
    t.notOk((await pciDevices(monitor)).has('net0'));

    // Save to a file after a hot-plug, restore: the disk is there again.
    await ok('attach-disk', name, image, 'vdb', '--live');
    const layout = await pciDevices(monitor);
    const saved = path.join(dir, `${name}.save`);
    await ok('save', name, saved);
    await ok('restore', saved);
    t.match(await ok('domblklist', name), new RegExp(`^ vdb +${image}$`, 'm'));
    t.same(await pciDevices(monitor), layout, 'the same PCI layout after the restore');
    t.notMatch(await ok('dumpxml', '--inactive', name), /vdb/, 'a live-only disk never reached the config');

    await ok('destroy', name);
    await ok('undefine', name);
  });
}
