// The device specifications inside xl.cfg's strings, on hand-built inputs: disks in xl's
// keyword and positional syntax (and xm's old one), network interfaces, character
// devices; faults as VirErrors naming the text at fault.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import t from 'tap';
import { ConfigReader } from '../../src/formats/config-settings.js';
import { domainFromXlConfig } from '../../src/formats/domain-from-config.js';
import { formatCharDev } from '../../src/formats/xen-config-format.js';
import { parseCharDev } from '../../src/formats/xen-config-parse.js';
import { DiskSpecError, parseXlDisk } from '../../src/formats/xl-disk-spec.js';
import { parseVif, rateKBytes } from '../../src/formats/vif-spec.js';
import { domainXmlFromNative, domainXmlToNative } from '../../src/native-format.js';

const noConfig = new ConfigReader([], 'xl', ErrorDomain.XENXL);

/** What `work` throws (or 'nothing'). */
function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (e) {
    return e;
  }
  return 'nothing';
}

t.test('xl disks: keywords, positional values, old prefixes, CD-ROMs', async (t) => {
  t.match(parseXlDisk('format=qcow2, vdev=xvdb, access=ro, backendtype=tap, target=/img/a,b.qcow2'), {
    pdevPath: '/img/a,b.qcow2', vdev: 'xvdb', format: 'qcow2', backend: 'tap', readwrite: false, isCdrom: false,
  }, 'target= takes the rest, commas included; spaces after commas are skipped');
  t.match(parseXlDisk('/dev/vg/a,raw,xvda,rw'), { pdevPath: '/dev/vg/a', format: 'raw', vdev: 'xvda', readwrite: true });
  t.match(parseXlDisk('/a.img,,hda'), { pdevPath: '/a.img', format: 'raw', vdev: 'hda', readwrite: true }, 'an empty positional value takes the default');
  t.match(parseXlDisk('phy:/dev/vg/a,xvda,w'), { pdevPath: '/dev/vg/a', vdev: 'xvda', readwrite: true }, 'after an old prefix the next value is the vdev');
  t.match(parseXlDisk('tap:qcow2:/a.img,hda,r'), { pdevPath: '/a.img', format: 'qcow2', vdev: 'hda', readwrite: false });
  t.match(parseXlDisk('tap2:tapdisk:aio:/a.img,xvda,w'), { pdevPath: '/a.img', format: 'raw' });
  t.match(parseXlDisk('/a.iso,raw,hdc:cdrom,r'), { vdev: 'hdc', isCdrom: true, removable: true, readwrite: false });
  t.match(parseXlDisk('vdev=hdc,devtype=cdrom'), { pdevPath: undefined, format: 'empty', isCdrom: true }, 'a CD-ROM with no medium');
  t.match(parseXlDisk('/a,raw,xvda,rw,script=block-iscsi,direct-io-safe,discard'), { script: 'block-iscsi', directIoSafe: true, discard: true });
  const faults: [string, RegExp][] = [
    ['/a.img,vmdk,xvda', /unknown value for format: near 'vmdk'/],
    ['target=/x.img,vdev=xvda', /no vdev specified in 'target=\/x.img,vdev=xvda'/],
    ['/a,raw,xvda,rw,extra', /too many positional parameters: near 'extra'/],
    ['/a,raw,xvda,w!', /unknown value for access: near 'w!'/],
    ['vdev=xvda,vdev=xvdb,target=/a', /vdev specified more than once/],
    ['format=raw,vdev=xvda,backendtype=bogus,target=/a', /unknown value for backendtype: near 'bogus'/],
    ['/a,raw,notadev', /invalid virtual disk name/],
    ['colour=red,vdev=xvda,target=/a', /unknown parameter: near 'colour'/],
  ];
  for (const [spec, message] of faults) {
    const e = caught(() => parseXlDisk(spec));
    t.ok(e instanceof DiskSpecError, `${spec}: refused`);
    t.match((e as Error).message, message, spec);
  }
});

t.test('a disk fault in a config: VIR_ERR_CONF_SYNTAX from VIR_FROM_XENXL, with the specification', async (t) => {
  const e = caught(() => domainFromXlConfig('name = "d"\ntype = "hvm"\ndisk = [ "/a,vmdk,hda" ]\n'));
  t.ok(e instanceof VirError);
  t.match(e, {
    code: ErrorNumber.CONF_SYNTAX, domain: ErrorDomain.XENXL,
    message: "configuration file syntax error: config parsing error in disk specification: unknown value for format: near 'vmdk' in '/a,vmdk,hda'",
  });
});

t.test('network interfaces: MAC, bridge with VLANs, rate, script, model', async (t) => {
  const vif = (spec: string) => parseVif(noConfig, spec, 'vif', 0);
  t.same(vif('mac=0:16:3E:0:0:1,bridge=br0.42'), {
    name: 'interface', attrs: { type: 'bridge' }, line: 0, children: [
      { name: 'mac', attrs: { address: '00:16:3e:00:00:01' }, children: [], line: 0 },
      { name: 'source', attrs: { bridge: 'br0' }, children: [], line: 0 },
      { name: 'vlan', attrs: {}, children: [{ name: 'tag', attrs: { id: '42' }, children: [], line: 0 }], line: 0 },
      { name: 'virtualport', attrs: { type: 'openvswitch' }, children: [], line: 0 },
    ],
  }, 'a MAC address in libvirt\'s form; br.TAG is an Open vSwitch VLAN');
  t.equal(rateKBytes(noConfig, '10MB/s'), 10240);
  t.equal(rateKBytes(noConfig, '100Mb/s@20ms'), 12800, 'bits are eighths of bytes; the interval is xl\'s');
  t.throws(() => rateKBytes(noConfig, '10 MB/s'), { message: /Invalid rate '10 MB\/s' specified/ });
  t.throws(() => parseVif(noConfig, 'mac=zz:16:3e:00:00:01', 'vif', 2), { message: /vif 2: malformed mac address 'zz:16:3e:00:00:01'/ });
  t.throws(() => parseVif(noConfig, 'bridge=xenbr0,brigde=xenbr1', 'vif', 0), { message: /unrecognized argument 'brigde=xenbr1'/ });
});

t.test('character devices: each kind Xen writes, read and written back the same', async (t) => {
  const kinds = ['pty', 'null', 'stdio', 'vc', 'file:/tmp/s.log', 'pipe:/tmp/s.pipe', '/dev/ttyS0', 'tcp:127.0.0.1:7777',
    'telnet:127.0.0.1:9999,server,nowait', 'tcp::4555,server,nowait', 'udp:127.0.0.1:9999@0.0.0.0:9998', 'udp:127.0.0.1:9999@:9998', 'unix:/tmp/s.sock,server,nowait', 'unix:/tmp/c.sock'];
  for (const text of kinds) {
    const { type, children } = parseCharDev(noConfig, text);
    const back = formatCharDev({ name: 'serial', attrs: { type }, children, line: 0 }, (w) => new Error(w));
    t.equal(back, text, text);
  }
  t.throws(() => parseCharDev(noConfig, 'bogus:1'), { message: /unknown chr device type 'bogus'/ });
  t.throws(() => parseCharDev(noConfig, 'tcp:nohostport'), { message: /malformed char device string 'tcp:nohostport'/ });
});

t.test('hostile sizes: refused at once with a VirError, before any work they would cause', async (t) => {
  const base = 'name = "h"\nuuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"\nbootloader = "pygrub"\n';
  const hvm = base.replace('bootloader = "pygrub"\n', 'type = "hvm"\n');
  const xml = (inner: string, vcpus = 1) => `<domain type='xen'><name>h</name><memory>65536</memory><vcpu>${vcpus}</vcpu><os><type>hvm</type></os>${inner}</domain>`;
  const cells = (n: number) => `<cpu><numa>${Array.from({ length: n }, (_, i) => `<cell id='${i}' cpus='${i}' memory='1024'/>`).join('')}</numa></cpu>`;
  const cases: [string, () => string, RegExp][] = [
    ['100 million vCPUs', () => domainXmlFromNative('xen-xl', `${base}vcpus = 100000000\n`, 0), /100000000 vCPUs: a Xen guest has at most 4096/],
    ['4 million vCPUs in XML', () => domainXmlToNative('xen-xl', xml('', 4_000_000), 0), /at most 4096/],
    ['3000 NUMA cells', () => domainXmlToNative('xen-xl', xml(cells(3000), 3000), 0), /more than 64 NUMA cells/],
    ['a list of 20000 serial ports', () => domainXmlFromNative('xen-xl', `${hvm}serial = [ ${Array(20000).fill('"pty"').join(', ')} ]\n`, 0), /serial was malformed \(line 4\): more than 256 entries/],
    ['a USB controller with 2^48 ports', () => domainXmlFromNative('xen-xl', `${base}usbctrl = [ "version=2,ports=ffffffffffff" ]\n`, 0), /ports one from 1 to 31/],
    ['a VNC display past the last port', () => domainXmlFromNative('xen-xl', `${hvm}vnc = 1\nvncunused = 0\nvncdisplay = 99999999999\n`, 0), /beyond the last TCP port/],
    ['memory of 2^45 MiB', () => domainXmlFromNative('xen-xl', `${base}memory = 35184372088832\n`, 0), /value too large/],
  ];
  for (const [what, work, message] of cases) {
    const started = performance.now();
    const e = caught(work);
    t.ok(e instanceof VirError, `${what}: a VirError`);
    t.match((e as Error).message, message, what);
    t.comment(`${what}: refused in ${(performance.now() - started).toFixed(0)} ms`);
  }
});

t.test('domxml-to-native and back: what xl.cfg cannot say is refused by name, never dropped', async (t) => {
  const domain = (devices: string, os = '<type>hvm</type>') => `<domain type='xen'><name>x</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid><memory>65536</memory><os>${os}</os><devices>${devices}</devices></domain>`;
  t.throws(() => domainXmlToNative('xen-xl', domain("<interface type='network'><mac address='00:16:3e:00:00:01'/><source network='default'/></interface>"), 0),
    { code: ErrorNumber.CONFIG_UNSUPPORTED, message: /Unsupported net type 'network'/ });
  t.throws(() => domainXmlToNative('xen-xl', domain("<controller type='usb' model='nec-xhci'/>"), 0), { message: /USB controller model 'nec-xhci'/ });
  t.throws(() => domainXmlToNative('xen-xl', domain('', '<type>hvm</type>').replace("type='xen'", "type='kvm'"), 0), { code: ErrorNumber.CONFIG_UNSUPPORTED, message: /not Xen's/ });
  t.throws(() => domainXmlToNative('qemu-argv', domain(''), 0), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.LIBXL, message: 'invalid argument: unsupported config type qemu-argv' });
  t.throws(() => domainXmlFromNative('xen-sxpr', 'name = "x"\n', 0), { code: ErrorNumber.INVALID_ARG, message: /unsupported config type xen-sxpr/ });
  t.throws(() => domainXmlToNative('xen-xl', domain(''), 1), { code: ErrorNumber.INVALID_ARG, message: /flags/ });
  t.match(domainXmlToNative('xen-xl', domain("<interface type='bridge'><source bridge='xenbr0'/></interface>"), 0),
    /vif = \[ "mac=00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2},bridge=xenbr0,script=vif-bridge" \]/, 'a NIC with no MAC address gets one with Xen\'s prefix');
  const cfg = domainXmlToNative('xen-xl', domain("<graphics type='vnc' passwd='s3cret'/>"), 0);
  t.match(cfg, /vncpasswd = "s3cret"/);
  t.match(domainXmlFromNative('xen-xl', cfg, 0), /passwd='s3cret'/, 'a converted config keeps its VNC password');
});
