// Domain XML → QEMU argv, without running anything: the pure module.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { parseDomainXml } from '@tsvirt/core/xml';
import t from 'tap';
import { escapeQemuValue, qemuOpts } from '../src/qemu-opts.js';
import { domainToQemuArgs } from '../src/xml-to-native.js';

const UUID = '00000000-0000-0000-0000-000000000002';
const domain = (devices: string, extra = '', type = 'kvm', os = "<type arch='x86_64' machine='q35'>hvm</type>") => parseDomainXml(`
<domain type='${type}'>
  <name>disknet</name>
  <uuid>${UUID}</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os>${os}</os>
  ${extra}
  <devices>${devices}</devices>
</domain>`);

/** The value following each occurrence of an option. */
const valuesOf = (args: string[], option: string) => args.flatMap((a, i) => (a === option ? [args[i + 1]] : []));

t.test('commas in values are doubled; booleans are on/off; undefined values are left out', async (t) => {
  t.equal(escapeQemuValue('/a,b,,c'), '/a,,b,,,,c');
  t.equal(qemuOpts('file', { id: 'x', path: '/tmp/a,b', append: true, wait: false, skip: undefined }), 'file,id=x,path=/tmp/a,,b,append=on,wait=off');
});

t.test('machine, accelerator, memory, vCPUs, identity', async (t) => {
  const args = domainToQemuArgs(domain('', '<features><acpi/></features>'));
  t.same(valuesOf(args, '-machine'), ['q35,usb=off']);
  t.same(valuesOf(args, '-accel'), ['kvm']);
  t.same(valuesOf(args, '-m'), ['size=524288k']);
  t.same(valuesOf(args, '-smp'), ['2,maxcpus=2']);
  t.same(valuesOf(args, '-uuid'), [UUID]);
  t.same(valuesOf(args, '-name'), ['guest=disknet,debug-threads=on']);
  t.same(valuesOf(args, '-display'), ['none']);
  t.notOk(args.includes('-S'), 'not paused unless asked');
  t.ok(domainToQemuArgs(domain(''), { paused: true }).includes('-S'));
  t.same(valuesOf(domainToQemuArgs(domain('', '', 'qemu')), '-accel'), ['tcg'], 'type qemu is TCG');
  t.same(valuesOf(domainToQemuArgs(domain('')), '-machine'), ['q35,acpi=off,usb=off'], 'no <acpi/> feature: no ACPI');
});

t.test('CPU model, features, topology and NUMA cells', async (t) => {
  const args = domainToQemuArgs(domain('', `<cpu mode='custom'><model>Skylake-Client</model>
    <topology sockets='2' dies='1' cores='1' threads='1'/><feature policy='disable' name='hle'/><feature policy='require' name='x2apic'/>
    <numa><cell id='0' cpus='0' memory='256' unit='MiB'/><cell id='1' cpus='1,3-4' memory='262144'/></numa></cpu>`));
  t.same(valuesOf(args, '-cpu'), ['Skylake-Client,hle=off,x2apic=on']);
  t.same(valuesOf(args, '-smp'), ['2,maxcpus=2,sockets=2,dies=1,cores=1,threads=1']);
  t.same(valuesOf(args, '-object'), ['memory-backend-ram,id=ram-node0,size=268435456', 'memory-backend-ram,id=ram-node1,size=268435456']);
  t.same(valuesOf(args, '-numa'), ['node,nodeid=0,cpus=0,memdev=ram-node0', 'node,nodeid=1,cpus=1,cpus=3-4,memdev=ram-node1']);
  t.same(valuesOf(domainToQemuArgs(domain('', "<cpu mode='host-passthrough'/>")), '-cpu'), ['host']);
  t.same(valuesOf(domainToQemuArgs(domain('', "<cpu mode='host-model'/>", 'qemu')), '-cpu'), ['max'], 'TCG has no host CPU');
});

t.test('direct kernel boot, and boot order otherwise', async (t) => {
  const args = domainToQemuArgs(domain('', '', 'qemu', `<type>hvm</type><kernel>/boot/vmlinuz,x</kernel><initrd>/boot/initrd</initrd><cmdline>console=ttyS0 quiet</cmdline>`));
  t.same(valuesOf(args, '-kernel'), ['/boot/vmlinuz,x'], 'a plain argument: no QemuOpts escaping');
  t.same(valuesOf(args, '-initrd'), ['/boot/initrd']);
  t.same(valuesOf(args, '-append'), ['console=ttyS0 quiet']);
  t.notOk(args.includes('-boot'));
  t.same(valuesOf(domainToQemuArgs(domain('', '', 'qemu', "<type>hvm</type><boot dev='cdrom'/><boot dev='hd'/>")), '-boot'), ['order=dc,strict=on']);
});

t.test('disks: -blockdev storage and format nodes, devices by bus, cdroms read-only', async (t) => {
  const args = domainToQemuArgs(domain(`
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/a,b.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><source file='/images/install.iso'/><target dev='sda' bus='sata'/><readonly/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>
    <disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='hdb' bus='ide'/><readonly/></disk>`));
  t.same(valuesOf(args, '-blockdev'), [
    'driver=file,filename=/images/a,,b.qcow2,node-name=libvirt-1-storage,read-only=off',
    'node-name=libvirt-1-format,read-only=off,driver=qcow2,file=libvirt-1-storage',
    'driver=file,filename=/images/install.iso,node-name=libvirt-2-storage,read-only=on',
    'node-name=libvirt-2-format,read-only=on,driver=raw,file=libvirt-2-storage',
    'driver=host_device,filename=/dev/sdz,node-name=libvirt-3-storage,read-only=on',
    'node-name=libvirt-3-format,read-only=on,driver=raw,file=libvirt-3-storage',
  ]);
  // as libvirt parses them, hdb goes before hdc on the same bus
  t.same(valuesOf(args, '-device'), [
    'virtio-blk-pci,drive=libvirt-1-format,id=virtio-disk0',
    'ide-cd,bus=ide.0,drive=libvirt-2-format,id=sata0-0-0',
    'ide-hd,bus=ide.0,unit=1,drive=libvirt-3-format,id=ide0-0-1',
    'ide-cd,bus=ide.1,unit=0,id=ide0-1-0',
  ]);
});

t.test('interfaces: user, tap, bridge, with models and MACs', async (t) => {
  const args = domainToQemuArgs(domain(`
    <interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>
    <interface type='ethernet'><target dev='tap7'/><model type='e1000'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface>`));
  t.same(valuesOf(args, '-netdev'), ['user,id=hostnet0', 'tap,id=hostnet1,ifname=tap7,script=no,downscript=no', 'bridge,id=hostnet2,br=br0']);
  // a network's interface, and a bridge's, once the driver has made their taps (named by the target)
  const taps = domainToQemuArgs(domain(`
    <interface type='network'><source network='default' bridge='virbr0'/><target dev='vnet0'/></interface>
    <interface type='bridge'><source bridge='br0'/><target dev='vnet1'/></interface>`));
  t.same(valuesOf(taps, '-netdev'), ['tap,id=hostnet0,ifname=vnet0,script=no,downscript=no', 'tap,id=hostnet1,ifname=vnet1,script=no,downscript=no']);
  t.same(valuesOf(args, '-device'), [
    'virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:12:34:56',
    'e1000,netdev=hostnet1,id=net1',
    'rtl8139,netdev=hostnet2,id=net2',
  ]);
});

t.test('serial and console (pty, file, unix), VNC, video, input, balloon, controllers', async (t) => {
  const args = domainToQemuArgs(domain(`
    <controller type='usb' index='0' model='qemu-xhci'/>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <controller type='pci' index='0' model='pcie-root'/>
    <serial type='file'><source path='/var/log/serial,0.log'/><target port='0'/></serial>
    <serial type='unix'><source mode='bind' path='/run/s.sock'/></serial>
    <console type='file'><source path='/var/log/serial,0.log'/><target type='serial' port='0'/></console>
    <input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/>
    <graphics type='vnc' port='5901' listen='0.0.0.0'/>
    <video><model type='virtio'/></video>
    <memballoon model='virtio'/>`));
  t.same(valuesOf(args, '-chardev'), ['file,id=charserial0,path=/var/log/serial,,0.log', 'socket,id=charserial1,path=/run/s.sock,server=on,wait=off'], 'the console is serial0 seen again');
  t.same(valuesOf(args, '-vnc'), ['0.0.0.0:1']);
  t.notOk(args.includes('-display'), 'a VNC display replaces -display none');
  t.same(valuesOf(args, '-device'), [
    'qemu-xhci,id=usb', 'virtio-scsi-pci,id=scsi0',
    'isa-serial,chardev=charserial0,id=serial0', 'isa-serial,chardev=charserial1,id=serial1',
    'usb-tablet,id=input0,bus=usb.0', 'virtio-vga,id=video0', 'virtio-balloon-pci,id=balloon0',
  ]);
  const lone = domainToQemuArgs(domain("<console type='pty'><target type='serial'/></console><graphics type='vnc' autoport='yes'/>"));
  t.same(valuesOf(lone, '-chardev'), ['pty,id=charserial0'], 'a console alone gets a serial port');
  t.same(valuesOf(lone, '-vnc'), ['127.0.0.1:0,to=100'], 'autoport: the first free display');
});

t.test('what cannot be expressed is VIR_ERR_CONFIG_UNSUPPORTED naming it', async (t) => {
  const unsupported = (xml: () => unknown, what: RegExp) => {
    try {
      xml();
      t.fail(`expected an error matching ${what}`);
    } catch (e) {
      t.ok(e instanceof VirError && e.code === ErrorNumber.CONFIG_UNSUPPORTED && e.domain === ErrorDomain.QEMU, (e as Error).message);
      t.match((e as Error).message, what);
      t.match((e as Error).message, /^unsupported configuration: /);
    }
  };
  unsupported(() => domainToQemuArgs(domain('<sound model="pcspk"/>')), /sound model 'pcspk'/);
  unsupported(() => domainToQemuArgs(domain("<interface type='direct'><source dev='eth0' mode='vepa'/></interface>")), /interface type 'direct'/);
  unsupported(() => domainToQemuArgs(domain("<graphics type='rdp'/>")), /graphics type 'rdp'/);
  unsupported(() => domainToQemuArgs(domain("<graphics type='spice' tlsPort='5901'/>")), /spice TLS port set in XML configuration, but TLS is disabled in qemu.conf/);
  unsupported(() => domainToQemuArgs(domain("<disk type='network' device='disk'><source protocol='nbd' name='x'/><target dev='vda'/></disk>")), /network disk 'vda' without a host/);
  unsupported(() => domainToQemuArgs(domain("<disk type='network' device='disk'><source protocol='sheepdog' name='x'><host name='h'/></source><target dev='vda'/></disk>")), /network disk protocol 'sheepdog'/);
  unsupported(() => domainToQemuArgs(domain("<disk type='file'><driver type='ploop'/><source file='/a'/><target dev='vda'/></disk>")), /disk format 'ploop'/);
  unsupported(() => domainToQemuArgs(domain('', "<numatune><memory mode='strict' nodeset='0-1'/></numatune>")), /NUMA node 1 is unavailable/);
  unsupported(() => domainToQemuArgs(domain('', '', 'xen')), /domain type 'xen'/);
  unsupported(() => domainToQemuArgs(domain('', '<memtune><hard_limit>1</hard_limit></memtune>')), /element <memtune>/);
});

t.test('audio, SPICE, character devices, memory backing and platform devices', async (t) => {
  const args = domainToQemuArgs(domain(`
    <audio id='1' type='pulseaudio' serverName='pa.example'><output voices='2'><settings frequency='44100'/></output></audio>
    <sound model='ich9'/>
    <graphics type='spice' autoport='yes'><clipboard copypaste='no'/></graphics>
    <serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/><protocol type='telnet'/></serial>
    <serial type='udp'><source mode='bind' host='127.0.0.1' service='1111'/><source mode='connect' host='127.0.0.1' service='2222'/></serial>
    <channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <controller type='virtio-serial' index='0'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <watchdog model='i6300esb' action='poweroff'/>
    <tpm model='tpm-crb'><backend type='external'><source type='unix' mode='connect' path='/run/swtpm.sock'/></backend></tpm>
    <filesystem type='mount' accessmode='mapped'><source dir='/srv/share'/><target dir='share'/></filesystem>`,
  `<memoryBacking><source type='memfd'/><access mode='shared'/><locked/></memoryBacking>`), { domainDir: '/run/d' });
  t.same(valuesOf(args, '-audiodev'), ['pa,id=audio1,server=pa.example,out.voices=2,out.frequency=44100']);
  t.same(valuesOf(args, '-spice'), ['port=0,disable-copy-paste=on,disable-ticketing=on,seamless-migration=on']);
  t.same(valuesOf(args, '-chardev'), [
    'socket,id=charserial0,host=127.0.0.1,port=4555,telnet=on,server=on,wait=off',
    'udp,id=charserial1,host=127.0.0.1,port=2222,localaddr=127.0.0.1,localport=1111',
    'socket,id=charchannel0,path=/run/d/org.qemu.guest_agent.0,server=on,wait=off',
    'socket,id=chrtpm,path=/run/swtpm.sock',
  ], 'an unnamed channel socket goes in the domain folder');
  t.same(valuesOf(args, '-object'), ['memory-backend-memfd,id=pc.ram,share=on,size=536870912', 'rng-random,id=objrng0,filename=/dev/urandom']);
  t.match(valuesOf(args, '-machine')[0], /memory-backend=pc\.ram/);
  t.same(valuesOf(args, '-overcommit'), ['mem-lock=on']);
  t.same(valuesOf(args, '-watchdog-action'), ['poweroff']);
  t.same(valuesOf(args, '-fsdev'), ['local,security_model=mapped,id=fsdev-fs0,path=/srv/share']);
  t.same(valuesOf(args, '-device').filter((d) => /hda|virtserialport|tpm|i6300|9p/.test(d)), [
    'virtio-9p-pci,id=fs0,fsdev=fsdev-fs0,mount_tag=share',
    'virtserialport,bus=virtio-serial0.0,chardev=charchannel0,id=channel0,name=org.qemu.guest_agent.0',
    'ich9-intel-hda,id=sound0', 'hda-duplex,id=sound0-codec0,bus=sound0.0,cad=0,audiodev=audio1',
    'i6300esb,id=watchdog0', 'tpm-crb,tpmdev=tpm-tpm0,id=tpm0',
  ]);
});
