// libvirt's defaults and PCI addresses for QEMU guests, without running QEMU: the
// probed capabilities are given as data (the machines QEMU 7.2 reports). The expected
// device lists are what libvirt 9.0's QEMU driver writes for the same definitions.

import { formatDomainXml, parseDomainXml } from '@tsvirt/core/xml';
import { ErrorNumber, VirError } from '@tsvirt/core';
import { PciAddressSet } from '@tsvirt/core/driver';
import t from 'tap';
import { fillDomainDefaults } from '../src/domain-defaults.js';
import { hotplugPciAddress } from '../src/pci-addresses.js';
import type { QemuCapabilities } from '../src/qemu-capabilities.js';
import { domainToQemuArgs } from '../src/xml-to-native.js';

const caps = {
  binary: '/usr/bin/qemu-system-x86_64',
  machines: [
    { name: 'pc-i440fx-7.2', alias: 'pc', isDefault: true, maxCpus: 255, deprecated: false, defaultCpuType: 'qemu64-x86_64-cpu' },
    { name: 'pc-q35-7.2', alias: 'q35', isDefault: false, maxCpus: 288, deprecated: false, defaultCpuType: 'qemu64-x86_64-cpu' },
  ],
} as unknown as QemuCapabilities;

const define = (machine: string, devices: string) => {
  const def = parseDomainXml(`<domain type='qemu'><name>d</name><uuid>00000000-0000-0000-0000-00000000000a</uuid>
    <memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='${machine}'>hvm</type></os>
    <devices>${devices}</devices></domain>`);
  return fillDomainDefaults(def, caps, { emulator: caps.binary, fresh: true });
};
const devicesOf = (xml: string) => xml.slice(xml.indexOf('<devices>'), xml.indexOf('</devices>') + 10);
const MAC = "<mac address='52:54:00:00:00:01'/>";
const DEVICES = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i/x.qcow2'/><target dev='vda' bus='virtio'/></disk>
  <interface type='user'>${MAC}<model type='virtio'/></interface>
  <serial type='pty'><target port='0'/></serial>`;

t.test('q35: machine expanded, default controllers, a root port per PCIe device and one spare, balloon, inputs, audio', async (t) => {
  const def = define('q35', DEVICES);
  t.equal(def.os.machine, 'pc-q35-7.2');
  const xml = formatDomainXml(def, { inactive: true, secure: true });
  t.match(xml, "<cpu mode='custom' match='exact' check='none'>\n    <model fallback='forbid'>qemu64</model>\n  </cpu>");
  const rootPort = (i: number) => `    <controller type='pci' index='${i}' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='${i}' port='0x${(7 + i).toString(16)}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x${i - 1}'${i === 1 ? " multifunction='on'" : ''}/>
    </controller>
`;
  t.equal(devicesOf(xml), `<devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/i/x.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci'>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </controller>
    <controller type='sata' index='0'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>
    </controller>
    <controller type='pci' index='0' model='pcie-root'/>
${[1, 2, 3, 4, 5].map(rootPort).join('')}    <interface type='user'>
      ${MAC}
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <serial type='pty'>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <audio id='1' type='none'/>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </memballoon>
  </devices>`);
  // Applying the defaults again (a start, a restore) changes nothing.
  fillDomainDefaults(def, caps, { emulator: caps.binary, fresh: false });
  t.equal(formatDomainXml(def, { inactive: true, secure: true }), xml);
  const args = domainToQemuArgs(def);
  t.ok(args.includes('pcie-root-port,port=8,chassis=1,id=pci.1,bus=pcie.0,addr=0x1,multifunction=on'));
  t.ok(args.includes('virtio-blk-pci,bus=pci.3,addr=0x0,drive=libvirt-1-format,id=virtio-disk0'));
  t.ok(args.includes('virtio-balloon-pci,id=balloon0,bus=pci.4,addr=0x0'));
  t.ok(args.indexOf('-device') < args.indexOf('qemu-xhci,id=usb,bus=pci.2,addr=0x0'), 'root ports come before the devices on them');

  // The spare root port takes one hot-plugged device; a second has no room (no root port can be added live).
  const disk = parseDomainXml(`<domain type='qemu'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices>
    <disk type='file' device='disk'><source file='/i/y'/><target dev='vdb' bus='virtio'/></disk></devices></domain>`).devices[0];
  t.same(hotplugPciAddress(def, disk), { bus: 5, slot: 0, function: 0 });
  def.devices.push(disk);
  const nic = parseDomainXml(`<domain type='qemu'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices>
    <interface type='user'><model type='virtio'/></interface></devices></domain>`).devices[0];
  t.throws(() => hotplugPciAddress(def, nic), { code: ErrorNumber.INTERNAL_ERROR, message: /No more available PCI slots/ });
});

t.test('pc: PIIX3 slot 1, primary video in slot 2, conventional and PCIe devices on the root bus in libvirt\'s order', async (t) => {
  const def = define('pc', `${DEVICES}<interface type='user'/><graphics type='vnc'/><controller type='scsi' model='virtio-scsi'/>
    <disk type='file' device='cdrom'><source file='/i/x.iso'/><target dev='sda' bus='sata'/></disk><input type='tablet' bus='usb'/>`);
  t.equal(def.os.machine, 'pc-i440fx-7.2');
  const xml = formatDomainXml(def, { inactive: true, secure: true });
  const slotOf = (fragment: string) => new RegExp(`${fragment}[^]*?<address type='pci' domain='0x0000' bus='0x00' slot='(0x[0-9a-f]+)' function='(0x\\d)'`).exec(xml)?.slice(1).join('.');
  t.equal(slotOf("<controller type='usb' index='0' model='piix3-uhci'>"), '0x01.0x2');
  t.equal(slotOf('<video>'), '0x02.0x0');
  t.equal(slotOf("<model type='virtio'/>"), '0x03.0x0', 'NICs first');
  t.equal(slotOf("<model type='rtl8139'/>"), '0x04.0x0', 'the default NIC model');
  t.equal(slotOf("<controller type='scsi'"), '0x05.0x0', 'then controllers');
  t.equal(slotOf("<controller type='sata'"), '0x06.0x0');
  t.equal(slotOf("<target dev='vda'"), '0x07.0x0', 'then disks');
  t.equal(slotOf('<memballoon'), '0x08.0x0', 'then the balloon');
  t.match(xml, "<input type='tablet' bus='usb'>\n      <address type='usb' bus='0' port='1'/>");
  t.notMatch(xml, /pcie-root-port/);
});

t.test('q35: a conventional PCI device sits behind a PCIe-to-PCI bridge on a root port of its own', async (t) => {
  const def = define('q35', "<interface type='user'><model type='rtl8139'/></interface>");
  const xml = formatDomainXml(def, { inactive: true, secure: true });
  t.match(xml, "<controller type='pci' index='2' model='pcie-to-pci-bridge'>\n      <model name='pcie-pci-bridge'/>\n      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>");
  t.match(xml, "<model type='rtl8139'/>\n      <address type='pci' domain='0x0000' bus='0x02' slot='0x01' function='0x0'/>");
  t.ok(domainToQemuArgs(def).includes('pcie-pci-bridge,id=pci.2,bus=pci.1,addr=0x0'));
});

t.test('address set: a second use of an address and an address on a missing bus are refused', async (t) => {
  const def = define('pc', "<disk type='file' device='disk'><source file='/i/a'/><target dev='vda' bus='virtio'/><address type='pci' bus='0x00' slot='0x03'/></disk>"
    + "<disk type='file' device='disk'><source file='/i/b'/><target dev='vdb' bus='virtio'/></disk>");
  const xml = formatDomainXml(def, { inactive: true, secure: true });
  t.match(xml, "<target dev='vda' bus='virtio'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>", 'a given address is kept');
  t.match(xml, "<target dev='vdb' bus='virtio'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>", 'the next free slot');
  t.throws(() => define('pc', "<disk type='file' device='disk'><source file='/i/a'/><target dev='vda' bus='virtio'/><address type='pci' bus='0' slot='3'/></disk>"
    + "<interface type='user'><address type='pci' bus='0' slot='3'/></interface>"), { message: /Attempted double use of PCI Address 0000:00:03.0/ });
  t.throws(() => define('pc', "<interface type='user'><address type='pci' bus='7' slot='3'/></interface>"), { message: /Could not find PCI controller with index '7'/ });
  const set = new PciAddressSet([]);
  t.throws(() => set.assign('pci'), VirError, 'no bus at all');
});
