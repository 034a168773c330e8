import t from 'tap';
import { applyDomainDefaults, diskInsertPosition, diskNameToIndex, defaultDiskBus, formatDomainXml, parseDomainXml, type DiskDef } from '../src/entry-points/xml.js';

const cirrus = { videoModel: () => 'cirrus' };

const XEN_HVM = `<domain type='test'>
  <name>fv0</name>
  <uuid>4dea22b31d52d8f32516782e98ab3fa0</uuid>
  <os><type>hvm</type><loader>/usr/lib/xen/boot/hvmloader</loader><boot dev='hd'/></os>
  <memory>524288</memory>
  <features><pae/><acpi/><apic/></features>
  <devices>
    <disk type='file'><source file='/root/fv0'/><target dev='hda'/></disk>
    <disk type='file' device='cdrom'><source file='/root/boot.iso'/><target dev='hdc'/><readonly/></disk>
    <disk type='file' device='floppy'><source file='/root/fd.img'/><target dev='fda'/></disk>
    <graphics type='vnc' port='5904'/>
  </devices>
  <blkiotune>
    <device><write_bytes_sec>1</write_bytes_sec><read_iops_sec>2</read_iops_sec><path>/dev/hda</path></device>
    <weight>800</weight>
  </blkiotune>
</domain>`;

t.test('disk target names: index and default bus', async (t) => {
  t.equal(diskNameToIndex('hda'), 0);
  t.equal(diskNameToIndex('hdc'), 2);
  t.equal(diskNameToIndex('sda1'), 0, 'a partition number is ignored');
  t.equal(diskNameToIndex('vdaa'), 26);
  t.equal(diskNameToIndex('xvdb'), 1);
  t.equal(diskNameToIndex('nvme0'), -1);
  t.equal(defaultDiskBus('hdb', 'disk'), 'ide');
  t.equal(defaultDiskBus('sda1', 'disk'), 'scsi');
  t.equal(defaultDiskBus('vda', 'disk'), 'virtio');
  t.equal(defaultDiskBus('xvda', 'disk'), 'xen');
  t.equal(defaultDiskBus('fda', 'disk'), 'fdc');
  t.equal(defaultDiskBus('hdd', 'floppy'), 'fdc', 'a floppy is on the floppy controller whatever its name');
  t.equal(defaultDiskBus('foo', 'disk'), undefined);
});

t.test('disks are ordered as libvirt inserts them while parsing', async (t) => {
  const disk = (dev: string, bus?: string) => ({ kind: 'disk', type: 'file', device: 'disk', target: { dev, bus }, readonly: false, shareable: false, extra: [] }) as DiskDef;
  t.equal(diskInsertPosition([disk('hda'), disk('hdc')], disk('fda')), 1, 'without buses, fda (index 0) goes before hdc (index 2)');
  t.equal(diskInsertPosition([disk('hda', 'ide'), disk('hdc', 'ide')], disk('fda', 'fdc')), 2, 'on another bus: at the end');
  t.equal(diskInsertPosition([disk('vda', 'virtio'), disk('hdc', 'ide')], disk('hdb', 'ide')), 1);
  t.equal(diskInsertPosition([disk('hdc', 'ide'), disk('vda', 'virtio')], disk('hdd', 'ide')), 1, 'after the last disk of its bus');
  const def = parseDomainXml(XEN_HVM);
  t.same(def.devices.filter((d) => d.kind === 'disk').map((d) => (d as DiskDef).target.dev), ['hda', 'fda', 'hdc']);
});

t.test('post-parse defaults: buses, drive addresses, controllers, graphics, video, loader', async (t) => {
  const def = applyDomainDefaults(parseDomainXml(XEN_HVM), cirrus);
  t.equal(formatDomainXml(def, { inactive: true, secure: true }), `<domain type='test'>
  <name>fv0</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='KiB'>524288</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <blkiotune>
    <weight>800</weight>
    <device>
      <path>/dev/hda</path>
      <read_iops_sec>2</read_iops_sec>
      <write_bytes_sec>1</write_bytes_sec>
    </device>
  </blkiotune>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type>hvm</type>
    <loader type='rom'>/usr/lib/xen/boot/hvmloader</loader>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <pae/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/root/fv0'/>
      <target dev='hda' bus='ide'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <disk type='file' device='floppy'>
      <source file='/root/fd.img'/>
      <target dev='fda' bus='fdc'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/root/boot.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
      <address type='drive' controller='0' bus='1' target='0' unit='0'/>
    </disk>
    <controller type='fdc' index='0'/>
    <controller type='ide' index='0'/>
    <graphics type='vnc' port='5904' autoport='no'>
      <listen type='address'/>
    </graphics>
    <video>
      <model type='cirrus' vram='16384' heads='1' primary='yes'/>
    </video>
  </devices>
</domain>
`);
  const again = formatDomainXml(applyDomainDefaults(def, cirrus), { inactive: true, secure: true });
  t.equal(again, formatDomainXml(def, { inactive: true, secure: true }), 'applying the defaults again adds nothing');
});

t.test('SCSI addresses, controllers up to the highest index, consoles', async (t) => {
  const def = applyDomainDefaults(parseDomainXml(`<domain type='test'><name>pv</name><memory>1024</memory>
    <os><type>xen</type></os>
    <devices>
      <disk type='file'><source file='/a'/><target dev='sda1'/></disk>
      <disk type='file'><source file='/b'/><target dev='sdh'/></disk>
      <controller type='scsi' index='0' model='lsilogic'/>
      <console tty='/dev/pts/5'/>
      <graphics type='vnc' listen='0.0.0.0'/>
      <video><model type='vga'/></video>
    </devices></domain>`), cirrus);
  const xml = formatDomainXml(def, { inactive: true, secure: true });
  t.match(xml, `<target dev='sda1' bus='scsi'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>`);
  t.match(xml, `<target dev='sdh' bus='scsi'/>
      <address type='drive' controller='1' bus='0' target='0' unit='0'/>`, 'narrow SCSI: seven units a controller');
  t.match(xml, `    <controller type='scsi' index='0' model='lsilogic'/>
    <controller type='scsi' index='1'/>
`, 'an existing controller is kept, the missing one added');
  t.match(xml, `    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
`, 'a console is a pty; its tty is not part of the definition');
  t.match(xml, `<graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'>
      <listen type='address' address='0.0.0.0'/>
    </graphics>`, 'no port: one is chosen at start');
  t.equal(xml.match(/<video>/g)?.length, 1, 'a defined video card is kept alone');
});

t.test('no graphics, no video card', async (t) => {
  const def = applyDomainDefaults(parseDomainXml("<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>"), cirrus);
  t.notMatch(formatDomainXml(def, { secure: true }), /video|controller|loader/);
});
