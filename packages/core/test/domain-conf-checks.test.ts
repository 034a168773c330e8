// The conf layer's checks, with the codes and messages libvirt 9.0 gives for the same
// documents (each checked against libvirt's test driver).
import t from 'tap';
import { ErrorNumber, VirError } from '@tsvirt/core';
import { applyDomainDefaults, formatDomainXml, parseDomainXml } from '@tsvirt/core/xml';

const cirrus = { videoModel: () => 'cirrus' };
const domain = (inner: string, name = 'x') => `<domain type='test'><name>${name}</name>${inner}</domain>`;
const withMemory = (memory: string, more = '') => domain(`${memory}<os><type>hvm</type></os>${more}`);
const refusal = (xml: string) => {
  try {
    applyDomainDefaults(parseDomainXml(xml), cirrus);
  } catch (e) {
    if (e instanceof VirError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('accepted');
};

t.test('names: no newline, no slash, present', async (t) => {
  t.same(refusal(withMemory('<memory>1024</memory>').replace('<name>x</name>', '<name>a\nb</name>')), { code: ErrorNumber.XML_DETAIL, message: 'invalid char in name: \n' });
  t.same(refusal(withMemory('<memory>1024</memory>').replace('<name>x</name>', '<name>foo/bar</name>')), { code: ErrorNumber.XML_ERROR, message: "XML error: name foo/bar cannot contain '/'" });
  t.same(refusal(withMemory('<memory>1024</memory>').replace('<name>x</name>', '<name></name>')), { code: ErrorNumber.NO_NAME, message: 'missing name information' });
  t.equal(parseDomainXml(withMemory('<memory>1024</memory>').replace('<name>x</name>', '<name>.dot</name>')).name, '.dot', 'a leading dot is a name libvirt takes');
});

t.test('memory: units, rounding up to KiB, overflow as libvirt reports it', async (t) => {
  t.equal(parseDomainXml(withMemory("<memory unit='b'>1025</memory>")).memory, 2, 'bytes round up');
  t.equal(parseDomainXml(withMemory("<memory unit='GiB'>2</memory>")).memory, 2 * 1024 * 1024);
  t.equal(parseDomainXml(withMemory("<memory unit='MB'>1</memory>")).memory, 977, 'decimal units');
  t.same(refusal(withMemory('<memory>18446744073709551615</memory>')), { code: ErrorNumber.OVERFLOW, message: 'numerical overflow: value too large: 18446744073709551615' });
  t.same(refusal(withMemory('<memory>9007199254740993</memory>')), { code: ErrorNumber.OVERFLOW, message: 'numerical overflow: value too large: 9007199254740993' });
  t.same(refusal(withMemory("<memory unit='GiB'>18446744073709551</memory>")), { code: ErrorNumber.OVERFLOW, message: 'numerical overflow: value too large: 18446744073709551GiB' });
  t.same(refusal(withMemory('<memory>-5</memory>')), { code: ErrorNumber.XML_ERROR, message: "XML error: Invalid value '-5' for element or attribute './memory[1]'" });
  t.same(refusal(withMemory('<memory>0</memory>')), { code: ErrorNumber.XML_ERROR, message: 'XML error: Memory size must be specified via <memory> or in the <numa> configuration' });
  t.equal(parseDomainXml(withMemory('<memory>10</memory><currentMemory>20</currentMemory>')).currentMemory, 10, 'current memory is at most the maximum');
});

t.test('vCPUs: 32-bit counts, current at most the maximum', async (t) => {
  t.same(refusal(withMemory('<memory>1024</memory><vcpu>4294967296</vcpu>')), { code: ErrorNumber.XML_ERROR, message: 'XML error: maximum vcpus count must be an integer' });
  t.same(refusal(withMemory("<memory>1024</memory><vcpu current='5'>2</vcpu>")), { code: ErrorNumber.CONFIG_UNSUPPORTED, message: 'unsupported configuration: maximum vCPU count must not be less than current vCPU count' });
  t.equal(parseDomainXml(withMemory('<memory>1024</memory><vcpu>4000</vcpu>')).vcpu.max, 4000);
});

const devices = (inner: string) => withMemory('<memory>1024</memory>', `<devices>${inner}</devices>`);

t.test('character devices: sources and their attributes', async (t) => {
  t.same(refusal(devices("<serial type='tcp'><source mode='connect' service='1'/></serial>")), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: Missing source host attribute for char device' });
  t.same(refusal(devices("<serial type='tcp'><source host='a'/><source host='b'/></serial>")), { code: ErrorNumber.XML_ERROR, message: 'XML error: only one source element is allowed for character device' });
  t.same(refusal(devices("<controller type='usb'/><redirdev bus='usb' type='unix'><source mode='connect'/></redirdev>")), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: Missing source path attribute for char device' });
  t.same(refusal(devices("<channel type='tcp'><source mode='bind' host='h' service='1'><reconnect enabled='yes' timeout='1'/></source><target type='virtio'/></channel>")), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: chardev reconnect is possible only for connect mode' });
  const xml = formatDomainXml(applyDomainDefaults(parseDomainXml(devices("<channel type='tcp'><source host='h' service='1'/><target type='virtio' name='n'/></channel>")), cirrus), { inactive: true });
  t.match(xml, `<controller type='virtio-serial' index='0'/>
    <channel type='tcp'>
      <source mode='connect' host='h' service='1'/>
      <protocol type='raw'/>
      <target type='virtio' name='n'/>
    </channel>`, 'a TCP client by default, raw, on an implied virtio-serial controller');
});

t.test('graphics: listen attribute and elements agree; VNC picks its port', async (t) => {
  t.same(refusal(devices("<graphics type='vnc' listen='1.1.1.1'><listen type='address' address='2.2.2.2'/></graphics>")), {
    code: ErrorNumber.CONFIG_UNSUPPORTED, message: "unsupported configuration: graphics 'listen' attribute '1.1.1.1' must match 'address' attribute of first listen element (found '2.2.2.2')",
  });
  t.same(refusal(devices("<graphics type='vnc'><listen type='network'/></graphics>")), { code: ErrorNumber.XML_ERROR, message: "XML error: 'network' attribute is required for listen type 'network'" });
  const xml = formatDomainXml(applyDomainDefaults(parseDomainXml(devices("<graphics type='vnc' socket='/s'><listen type='address' address='1.1.1.1'/></graphics>")), cirrus), { inactive: true });
  t.match(xml, `<graphics type='vnc' socket='/s'>
      <listen type='socket' socket='/s'/>
    </graphics>
    <video>
      <model type='cirrus' vram='16384' heads='1' primary='yes'/>
    </video>`, 'a socket replaces address listens; the implied card is primary');
});

t.test('cputune: scheduler ranges per vCPU, resource groups that do not collide', async (t) => {
  const cputune = (inner: string) => withMemory("<memory>1024</memory><vcpu>4</vcpu>", '').replace('<os>', `<cputune>${inner}</cputune><os>`);
  const xml = formatDomainXml(applyDomainDefaults(parseDomainXml(cputune("<vcpusched vcpus='0-1,^0,3' scheduler='fifo' priority='1'/><cachetune vcpus='2-9' id='g'><cache id='0' level='3' type='both' size='1' unit='MiB'/></cachetune>")), cirrus), { inactive: true });
  t.match(xml, `<cputune>
    <vcpusched vcpus='1' scheduler='fifo' priority='1'/>
    <vcpusched vcpus='3' scheduler='fifo' priority='1'/>
    <cachetune vcpus='2-3'>`);
  t.same(refusal(cputune("<cachetune vcpus='0'><cache id='0' level='3' type='both' size='1' unit='KiB'/><cache id='0' level='3' type='data' size='1' unit='KiB'/></cachetune>")), {
    code: ErrorNumber.XML_ERROR, message: "XML error: Colliding cache allocations for cache level '3' id '0', type 'data'",
  });
  t.same(refusal(cputune("<cachetune vcpus='0-1'><cache id='0' level='3' type='both' size='1' unit='KiB'/><monitor level='3' vcpus='2'/></cachetune>")), { code: ErrorNumber.INVALID_ARG, message: 'invalid argument: Monitor vcpus conflicts with allocation' });
  t.same(refusal(cputune("<memorytune vcpus='0'><node id='0' bandwidth='5'/><node id='0' bandwidth='5'/></memorytune>")), { code: ErrorNumber.XML_ERROR, message: 'XML error: Memory Bandwidth already defined for node 0' });
});

t.test('values in libvirt\'s form: sizes, PCI addresses, network ports; a CD-ROM is read-only; a serial port is the console', async (t) => {
  const xml = formatDomainXml(applyDomainDefaults(parseDomainXml(`<domain type='test'><name>d1</name><memory>1024</memory><os><type>hvm</type></os>
    <features><smm state='on'><tseg unit='KiB'>49152</tseg></smm></features>
    <devices>
      <disk type='network' device='cdrom'><source protocol='http' name='a.iso'><host name='h'/></source><target dev='hdc'/></disk>
      <controller type='pci' index='1' model='pci-bridge'><address type='pci' slot='3' function='0'/></controller>
      <serial type='file'><source path='/tmp/s.log'/></serial>
    </devices></domain>`), cirrus), { inactive: true });
  // libvirt 9.0's virsh prints exactly this for the same document on its test driver
  t.match(xml, `  <features>
    <smm state='on'>
      <tseg unit='MiB'>48</tseg>
    </smm>
  </features>`);
  t.match(xml, `  <devices>
    <disk type='network' device='cdrom'>
      <source protocol='http' name='a.iso'>
        <host name='h' port='80'/>
      </source>
      <target dev='hdc' bus='ide'/>
      <readonly/>
      <address type='drive' controller='0' bus='1' target='0' unit='0'/>
    </disk>
    <controller type='pci' index='1' model='pci-bridge'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </controller>
    <controller type='ide' index='0'/>
    <serial type='file'>
      <source path='/tmp/s.log'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='/tmp/s.log'/>
      <target type='serial' port='0'/>
    </console>
  </devices>`);
});

t.test('what no driver takes: client file descriptors for a disk, an interface backend libvirt 9.0 does not know', async (t) => {
  t.same(refusal(devices("<disk type='file' device='disk'><source file='/a' fdgroup='g'/><target dev='vda'/></disk>")), {
    code: ErrorNumber.CONFIG_UNSUPPORTED, message: "unsupported configuration: driver does not support FD passing for disk 'vda'",
  });
  t.same(refusal(devices("<interface type='user'><backend type='passt'/></interface>")), { code: ErrorNumber.XML_ERROR, message: "XML error: Invalid value for attribute 'type' in element 'backend': 'passt'." });
});
