import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshScript } from './fixtures/run-virsh.js';

// The sessions where tsvirt deliberately differs from libvirt's test driver
// (packages/driver-test/DIFFERENCES.md): our behaviour, one test per session.

// each test spawns virsh several times: allow for a busy machine
t.setTimeout(180000);

const virsh = virshScript;
const dir = mkdtempSync(join(tmpdir(), 'virsh-diff-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const iface = file('iface.xml', "<interface type='network'>\n  <mac address='52:54:00:11:22:33'/>\n  <source network='default'/>\n</interface>\n");
const diskVdb = file('disk-vdb.xml', "<disk type='file' device='disk'>\n  <source file='/var/lib/libvirt/images/extra.img'/>\n  <target dev='vdb' bus='virtio'/>\n</disk>\n");
const transient = file('transient.xml', "<domain type='test'><name>transient1</name><memory>262144</memory><os><type>hvm</type></os></domain>");

const IFLIST = ' Interface   Type      Source    Model   MAC\n------------------------------------------------------------\n';
const TESTNET0 = ' testnet0    network   default   -       aa:bb:cc:dd:ee:ff\n';

t.test('attach-detach-iface: the interface comes and goes', async (t) => {
  t.same(virsh(`attach-device test ${iface}; domiflist test; detach-device test ${iface}; domiflist test`), {
    out: `Device attached successfully\n\n${IFLIST}${TESTNET0} testnet1    network   default   -       52:54:00:11:22:33\n\nDevice detached successfully\n\n${IFLIST}${TESTNET0}\n`,
    err: '', rc: 0,
  });
});

t.test('attach-disk: the disk is listed', async (t) => {
  t.same(virsh('attach-disk test /var/lib/libvirt/images/d2.img vdc; domblklist test'), {
    out: 'Disk attached successfully\n\n Target   Source\n------------------------------------------\n vda      /guest/diskimage1\n vdc      /var/lib/libvirt/images/d2.img\n\n',
    err: '', rc: 0,
  });
});

t.test('attach-interface: the interface is listed, --config only in the persistent definition', async (t) => {
  t.same(virsh('attach-interface test network default --mac 52:54:00:00:00:99; domiflist test'), {
    out: `Interface attached successfully\n\n${IFLIST}${TESTNET0} testnet1    network   default   -       52:54:00:00:00:99\n\n`, err: '', rc: 0,
  });
  const r = virsh('attach-interface test network default --mac 52:54:00:00:00:98 --config; domiflist test; domiflist test --inactive');
  t.match(r.out, /^Interface attached successfully\n\n(?:(?!52:54:00:00:00:98)[^])*\n\n[^]*52:54:00:00:00:98/);
});

t.test('detach-interface: the interface is gone', async (t) => {
  t.same(virsh('detach-interface test network --mac aa:bb:cc:dd:ee:ff; domiflist test'), {
    out: 'Interface detached successfully\n\n Interface   Type   Source   Model   MAC\n------------------------------------------\n\n', err: '', rc: 0,
  });
  t.same(virsh('detach-interface test bridge'), { out: '\n', err: 'error: No interface found whose type is bridge\nerror: Failed to detach interface\n', rc: 1 });
});

t.test('detach-device-missing: a missing device is reported as such', async (t) => {
  t.same(virsh(`detach-device test ${diskVdb}`), {
    out: '\n', err: `error: Failed to detach device from ${diskVdb}\nerror: device not found: no target device vdb\n`, rc: 1,
  });
});

t.test('create-paused: the transient domain is created paused', async (t) => {
  t.same(virsh(`create --paused ${transient}; domstate transient1`), {
    out: `Domain 'transient1' created from ${transient}\n\npaused\n\n`, err: '', rc: 0,
  });
});

t.test('start-paused: the domain starts paused', async (t) => {
  t.same(virsh('destroy test; start --paused test; domstate test; domstate --reason test'), {
    out: "Domain 'test' destroyed\n\nDomain 'test' started\n\npaused\n\npaused (user)\n\n", err: '', rc: 0,
  });
});

t.test('--persistent on a running domain changes both definitions; --current with --live is refused', async (t) => {
  const r = virsh(`attach-device test ${diskVdb} --persistent; domblklist test; domblklist test --inactive`);
  t.equal(r.out.match(/ vdb {6}\/var\/lib\/libvirt\/images\/extra\.img/g)?.length, 2);
  t.same(virsh(`attach-device test ${diskVdb} --current --live`), { out: '\n', err: 'error: Options --current and --live are mutually exclusive\n', rc: 1 });
});
