#!/usr/bin/env node
// Xen's native formats, in process: conversions per second over a corpus of Xen domains
// (HVM, PV and PVH guests with disks, NICs, displays, serial ports, PCI and USB devices,
// vNUMA), rounds interleaved:
//  (a) domain XML → xl.cfg   (virsh domxml-to-native xen-xl)
//  (b) xl.cfg → domain XML   (virsh domxml-from-native xen-xl)
//  (c) domain XML → xm config
//  (d) domain XML → libxl's domain configuration (JSON)
// Beside libvirt: libvirt converts these only in its libxl driver, which loads only on a
// Xen host (dom0); where `virsh -c xen:///system` cannot connect, the bench says so and
// gives, as the floor, what every conversion pays anyway: core's domain XML parse and
// format per document, and the config syntax parse alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PER_ROUND = Number(process.env.PER_ROUND ?? 600);

const { domainXmlToNative, domainXmlFromNative, parseXenDomainXml } = await import(`${root}packages/driver-xen/dist/native-format.js`);
const { domainToLibxlJson } = await import(`${root}packages/driver-xen/dist/formats/libxl-json.js`);
const { parseConfig } = await import(`${root}packages/driver-xen/dist/formats/config-syntax.js`);
const { parseDomainXml, formatDomainXml } = await import(`${root}packages/core/dist/entry-points/xml.js`);

const hex = (i, width) => i.toString(16).padStart(width, '0');
const mac = (i) => `00:16:3e:${hex((i >> 16) & 255, 2)}:${hex((i >> 8) & 255, 2)}:${hex(i & 255, 2)}`;
const head = (i, kind) => `<domain type='xen'>
  <name>xen-${kind}-${i}</name>
  <uuid>${hex(i, 8)}-4a84-3055-4c81-8ba426ae2656</uuid>
  <memory unit='MiB'>${1024 + (i % 8) * 256}</memory>
  <currentMemory unit='MiB'>1024</currentMemory>
  <vcpu placement='static' cpuset='0-1' current='2'>4</vcpu>`;

/** Three kinds of guest, each numbered: the shapes libvirt's own Xen tests use. */
const DOMAINS = {
  hvm: (i) => `${head(i, 'hvm')}
  <os><type arch='x86_64' machine='xenfv'>hvm</type><loader type='rom'>/usr/lib/xen/boot/hvmloader</loader><boot dev='cdrom'/><boot dev='hd'/></os>
  <features><acpi/><apic/><pae/><hap state='off'/></features>
  <clock offset='variable' adjustment='${i % 3600}' basis='localtime'><timer name='tsc' present='yes' mode='native'/><timer name='hpet' present='yes'/></clock>
  <on_crash>restart</on_crash>
  <devices>
    <emulator>/usr/lib/xen/bin/qemu-system-i386</emulator>
    <disk type='block' device='disk'><driver name='phy' type='raw'/><source dev='/dev/vg0/guest${i}'/><target dev='hda' bus='ide'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/xen/images/guest${i}-home.qcow2'/><target dev='hdb' bus='ide'/></disk>
    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='/iso/install.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
    <interface type='bridge'><mac address='${mac(i)}'/><source bridge='xenbr0'/><bandwidth><outbound average='10240'/></bandwidth><script path='vif-bridge'/><model type='e1000'/></interface>
    <interface type='bridge'><mac address='${mac(i + 1)}'/><source bridge='ovsbr0'/><vlan><tag id='42'/></vlan><virtualport type='openvswitch'/><ip address='192.0.2.${i % 250 + 1}' family='ipv4'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <input type='tablet' bus='usb'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='guest${i}'/>
    <sound model='es1370'/>
    <hostdev mode='subsystem' type='pci' managed='no'><source writeFiltering='no'><address domain='0x0000' bus='0x0${i % 8}' slot='0x1b' function='0x0'/></source></hostdev>
  </devices>
</domain>`,
  pv: (i) => `${head(i, 'pv')}
  <bootloader>/usr/bin/pygrub</bootloader>
  <os><type arch='x86_64' machine='xenpv'>linux</type></os>
  <features><xen><e820_host state='on'/></xen></features>
  <on_poweroff>preserve</on_poweroff>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/xen/images/pv${i}.qcow2'/><target dev='xvda' bus='xen'/></disk>
    <disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='rbd' name='pool/pv${i}'><host name='mon1.example.org' port='6321'/><host name='mon2.example.org' port='6322'/></source><target dev='xvdb' bus='xen'/></disk>
    <interface type='ethernet'><mac address='${mac(i)}'/><ip address='10.0.${i % 250}.1' family='ipv4'/><ip address='2001:db8::${hex(i, 1)}' family='ipv6'/></interface>
    <channel type='unix'><source mode='bind' path='/run/xen/pv${i}.agent'/><target type='xen' name='org.qemu.guest_agent.0'/></channel>
    <graphics type='vnc' port='-1' autoport='yes' listen='0.0.0.0'/>
    <hostdev mode='subsystem' type='usb' managed='no'><source><address bus='1' device='${i % 100 + 2}'/></source></hostdev>
  </devices>
</domain>`,
  pvh: (i) => `${head(i, 'pvh')}
  <os><type arch='x86_64' machine='xenpvh'>xenpvh</type><kernel>/boot/vmlinuz-${i}</kernel><initrd>/boot/initrd-${i}</initrd><cmdline>root=/dev/xvda1 console=hvc0 quiet</cmdline></os>
  <cpu><numa><cell id='0' cpus='0-1' memory='512' unit='MiB'/><cell id='1' cpus='2-3' memory='512' unit='MiB'><distances><sibling id='0' value='21'/><sibling id='1' value='10'/></distances></cell></numa></cpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/xen/images/pvh${i}.img'/><target dev='xvda' bus='xen'/></disk>
    <controller type='xenbus' maxGrantFrames='64' maxEventChannels='2047'/>
    <interface type='bridge'><mac address='${mac(i)}'/><source bridge='xenbr0'/><target dev='vif${i}.0'/></interface>
  </devices>
</domain>`,
};

const docs = Array.from({ length: PER_ROUND }, (_, i) => Object.values(DOMAINS)[i % 3](i));
const cfgs = docs.map((x) => domainXmlToNative('xen-xl', x, 0));
// every document converts both ways before anything is timed
for (const [i, cfg] of cfgs.entries()) {
  if (domainXmlToNative('xen-xl', domainXmlFromNative('xen-xl', cfg, 0), 0) !== cfg) throw new Error(`domain ${i} does not survive xl.cfg and back`);
}

// xm configs have no network disks: the xm conversion runs over the others
const xmDocs = docs.filter((x) => !x.includes("type='network'"));

/** Conversions per second over a list (one figure per round). */
const rate = (list, work) => () => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < list.length; i++) work(list[i]);
  return list.length / (Number(process.hrtime.bigint() - t0) / 1e9);
};

/** Whether libvirt can convert here: its answer to one conversion, or why not. */
function libvirtVerdict() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xen-formats-bench-'));
  try {
    writeFileSync(path.join(tmp, 'domain.xml'), docs[0]);
    const r = spawnSync('virsh', ['-c', 'xen:///system', 'domxml-to-native', 'xen-xl', path.join(tmp, 'domain.xml')], { encoding: 'utf8', timeout: 20_000 });
    if (r.error) return { runs: false, why: `virsh is not installed (${r.error.message})` };
    if (r.status !== 0) return { runs: false, why: (r.stderr || r.stdout).trim().split('\n').join(' / ') };
    return { runs: true, why: '' };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

console.log(`xen-formats: ${docs.length} domains (HVM, PV, PVH) per round, ${ROUNDS} rounds interleaved; ${loadText()}`);
const libvirt = libvirtVerdict();
console.log(libvirt.runs
  ? 'libvirt: virsh -c xen:///system converts here, but only through its daemon; not comparable in process'
  : `libvirt: cannot convert on this host (no Xen): virsh -c xen:///system domxml-to-native xen-xl says "${libvirt.why}"; the floor below stands in`);

const results = await interleaved(ROUNDS, {
  'XML → xl.cfg': rate(docs, (x) => domainXmlToNative('xen-xl', x, 0)),
  'xl.cfg → XML': rate(cfgs, (c) => domainXmlFromNative('xen-xl', c, 0)),
  'XML → xm': rate(xmDocs, (x) => domainXmlToNative('xen-xm', x, 0)),
  'XML → libxl JSON': rate(docs, (x) => domainToLibxlJson(parseXenDomainXml(x))),
  'floor: XML parse + format': rate(docs, (x) => formatDomainXml(parseDomainXml(x), { inactive: true, secure: true })),
  'floor: xl.cfg syntax parse': rate(cfgs, (c) => parseConfig(c, 'xl')),
});
for (const [name, { median, all }] of Object.entries(results)) {
  console.log(`  ${name.padEnd(28)} ${fmt(median).padStart(9)} conversions/s   (rounds: ${all.map((x) => fmt(x)).join(', ')})`);
}
console.log(`done; ${loadText()}`);
