import t from 'tap';
import { ErrorDomain, ErrorNumber } from '../src/index.js';
import {
  formatInterfaceXml, formatNetworkXml, formatNodeDeviceXml, formatStoragePoolXml, formatStorageVolXml, parseInterfaceXml, parseNetworkXml,
  parseNodeDeviceXml, parseStoragePoolXml, parseStorageVolXml,
} from '../src/entry-points/xml.js';

const NET = `<network>
  <name>net2</name>
  <uuid>22222222-3333-4444-5555-666666666666</uuid>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.2' end='192.168.150.254'/>
    </dhcp>
  </ip>
</network>
`;

t.test('a network reads back in libvirt\'s canonical form', async (t) => {
  t.equal(formatNetworkXml(parseNetworkXml(NET)), NET);
  const def = parseNetworkXml('<network><uuid>004b22212d78c30f5aa5f03c87d21e69</uuid><name>private</name></network>');
  t.equal(def.uuid, '004b2221-2d78-c30f-5aa5-f03c87d21e69', 'a UUID without dashes is normalized');
  t.match(parseNetworkXml('<network><name>n</name></network>').uuid, /^[0-9a-f-]{36}$/, 'a missing UUID is generated');
});

t.test('bad network, pool and volume XML gives libvirt\'s errors', async (t) => {
  t.throws(() => parseNetworkXml('<domain/>'), { code: ErrorNumber.XML_ERROR, domain: ErrorDomain.XML, message: "XML error: expecting root element of 'network', not 'domain'" });
  t.throws(() => parseNetworkXml('<network/>'), { code: ErrorNumber.NO_NAME, message: 'missing name information' });
  t.throws(() => parseStoragePoolXml("<volume><name>v</name></volume>"), { message: "XML error: expecting root element of 'pool', not 'volume'" });
  t.throws(() => parseStorageVolXml('<volume><name>v</name></volume>'), { code: ErrorNumber.XML_ERROR, message: 'XML error: missing capacity element' });
  t.throws(() => parseStorageVolXml("<volume><name>v</name><capacity unit='furlong'>1</capacity></volume>"), { code: ErrorNumber.XML_ERROR });
  t.throws(() => parseNodeDeviceXml('<device/>'), { code: ErrorNumber.NO_NAME });
});

t.test('pools and volumes: sizes in bytes, allocation defaulting to capacity', async (t) => {
  const vol = parseStorageVolXml("<volume><name>vol1.img</name><capacity unit='MiB'>100</capacity></volume>");
  t.match(vol, { name: 'vol1.img', type: 'file', capacity: 100 * 1024 ** 2, allocation: 100 * 1024 ** 2 });
  t.equal(formatStorageVolXml({ ...vol, key: '/p/vol1.img', targetPath: '/p/vol1.img', format: 'raw' }), `<volume type='file'>
  <name>vol1.img</name>
  <key>/p/vol1.img</key>
  <capacity unit='bytes'>104857600</capacity>
  <allocation unit='bytes'>104857600</allocation>
  <target>
    <path>/p/vol1.img</path>
    <format type='raw'/>
  </target>
</volume>
`);
  const pool = parseStoragePoolXml("<pool type='dir'><name>p</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid><target><path>/p</path><permissions><mode>0700</mode></permissions></target></pool>");
  t.equal(formatStoragePoolXml(pool), `<pool type='dir'>
  <name>p</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <capacity unit='bytes'>0</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>0</available>
  <source>
  </source>
  <target>
    <path>/p</path>
    <permissions>
      <mode>0700</mode>
    </permissions>
  </target>
</pool>
`);
});

t.test('host interfaces and node devices keep what they do not interpret', async (t) => {
  const iface = "<interface type='ethernet' name='eth1'>\n  <start mode='onboot'/>\n  <mtu size='1492'/>\n  <mac address='aa:bb:cc:dd:ee:ff'/>\n</interface>\n";
  t.equal(formatInterfaceXml(parseInterfaceXml(iface)), iface);
  const dev = "<device>\n  <name>scsi_host1</name>\n  <parent>computer</parent>\n  <capability type='scsi_host'>\n    <host>1</host>\n  </capability>\n</device>\n";
  t.equal(formatNodeDeviceXml(parseNodeDeviceXml(dev)), dev);
});
