// QEMU's monitor events (as QEMU 7.2's QMP reference defines their data) and the domain
// events libvirt makes of them, one of each kind the driver maps.
import { parseDomainXml } from '@tsvirt/core/xml';
import t from 'tap';
import { domainEventsOf } from '../src/qmp-domain-events.js';
import type { QmpEvent } from '../src/qmp/qmp-wire.js';

const domain = { name: 'vm', uuid: '00000000-0000-4000-8000-000000000001', id: 3 };
const def = parseDomainXml(`<domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
  <disk type='file' device='disk'><source file='/img/a.qcow2'/><target dev='vda' bus='virtio'/><alias name='virtio-disk0'/></disk>
  <disk type='file' device='cdrom'><source file='/img/b.iso'/><target dev='hdc' bus='ide'/><alias name='ide0-1-0'/></disk>
  <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/><alias name='channel0'/></channel>
</devices></domain>`);
for (const d of def.devices) if (d.kind === 'disk') d.alias = d.target.dev === 'vda' ? 'virtio-disk0' : 'ide0-1-0';

const qmp = (event: string, data: Record<string, unknown> = {}): QmpEvent => ({ kind: 'event', event, data, timestamp: { seconds: 0, microseconds: 0 } });
const nodes: Record<string, string> = { 'libvirt-1-format': 'virtio-disk0' };
const of = (e: QmpEvent) => domainEventsOf(domain, def, e, async (node) => nodes[node]);

t.test('device and memory facts', async (t) => {
  t.same(await of(qmp('RTC_CHANGE', { offset: -7200, 'qom-path': '/machine/unattached/device[8]' })), [{ kind: 'rtcChange', domain, offset: -7200 }]);
  t.same(await of(qmp('WATCHDOG', { action: 'inject-nmi' })), [{ kind: 'watchdog', domain, action: 6 }]);
  t.same(await of(qmp('BALLOON_CHANGE', { actual: 100 * 1024 * 1024 })), [{ kind: 'balloonChange', domain, actual: 102400 }], 'bytes to KiB');
  t.same(await of(qmp('DEVICE_DELETED', { device: 'virtio-disk1', path: '/machine/peripheral/virtio-disk1' })), [{ kind: 'deviceRemoved', domain, devAlias: 'virtio-disk1' }]);
  t.same(await of(qmp('DEVICE_DELETED', { path: '/machine/peripheral/virtio-disk1/virtio-backend' })), [], 'a part without an id of its own');
  t.same(await of(qmp('DEVICE_TRAY_MOVED', { device: '', id: 'ide0-1-0', 'tray-open': true })), [{ kind: 'trayChange', domain, devAlias: 'ide0-1-0', reason: 0 }]);
  t.same(await of(qmp('DEVICE_TRAY_MOVED', { device: '', id: 'ide0-1-0', 'tray-open': false })), [{ kind: 'trayChange', domain, devAlias: 'ide0-1-0', reason: 1 }]);
  t.same(await of(qmp('MEMORY_FAILURE', { recipient: 'guest', action: 'inject', flags: { 'action-required': true, recursive: false } })),
    [{ kind: 'memoryFailure', domain, recipient: 1, action: 1, flags: 1 }]);
  t.same(await of(qmp('MEMORY_DEVICE_SIZE_CHANGE', { id: 'virtiomem0', size: 1 << 30, 'qom-path': '/machine/peripheral/virtiomem0' })),
    [{ kind: 'memoryDeviceSizeChange', domain, alias: 'virtiomem0', size: 1048576 }]);
  t.same(await of(qmp('MIGRATION_PASS', { pass: 2 })), [{ kind: 'migrationIteration', domain, iteration: 2 }]);
  t.same(await of(qmp('ACPI_DEVICE_OST', { info: { device: 'hostdev0', slot: '3', 'slot-type': 'DIMM', source: 3, status: 1 } })),
    [{ kind: 'deviceRemovalFailed', domain, devAlias: 'hostdev0' }], 'an eject the guest refused');
  t.same(await of(qmp('ACPI_DEVICE_OST', { info: { device: 'hostdev0', slot: '3', 'slot-type': 'DIMM', source: 3, status: 0 } })), [], 'an eject it accepted');
});

t.test('power management', async (t) => {
  t.same(await of(qmp('SUSPEND')), [{ kind: 'pmSuspend', domain, reason: 0 }]);
  t.same(await of(qmp('SUSPEND_DISK')), [{ kind: 'pmSuspendDisk', domain, reason: 0 }]);
  t.same(await of(qmp('WAKEUP')), [{ kind: 'pmWakeup', domain, reason: 0 }]);
});

t.test('disks: I/O errors by node name, block jobs by the disk they run on, write thresholds', async (t) => {
  const io = await of(qmp('BLOCK_IO_ERROR', { device: '', 'node-name': 'libvirt-1-format', operation: 'write', action: 'stop', nospace: true, reason: 'No space left on device' }));
  t.same(io, [
    { kind: 'ioError', domain, srcPath: '/img/a.qcow2', devAlias: 'virtio-disk0', action: 1 },
    { kind: 'ioErrorReason', domain, srcPath: '/img/a.qcow2', devAlias: 'virtio-disk0', action: 1, reason: 'enospc' },
  ]);
  t.same(await of(qmp('BLOCK_JOB_READY', { type: 'mirror', device: 'vda', len: 10, offset: 10, speed: 0 })), [
    { kind: 'blockJob', domain, path: '/img/a.qcow2', type: 2, status: 3 },
    { kind: 'blockJob2', domain, dst: 'vda', type: 2, status: 3 },
  ]);
  t.same((await of(qmp('BLOCK_JOB_COMPLETED', { type: 'commit', device: 'vda', len: 10, offset: 5, speed: 0, error: 'Input/output error' })))[1],
    { kind: 'blockJob2', domain, dst: 'vda', type: 3, status: 1 }, 'a completion with an error is a failure');
  t.same(await of(qmp('BLOCK_JOB_COMPLETED', { type: 'stream', device: 'nosuch', len: 1, offset: 1, speed: 0 })), [], 'a job of no disk of the domain');
  t.same(await of(qmp('BLOCK_WRITE_THRESHOLD', { 'node-name': 'libvirt-1-format', 'amount-exceeded': 512, 'write-threshold': 1048576 })),
    [{ kind: 'blockThreshold', domain, dev: 'vda', path: '/img/a.qcow2', threshold: 1048576, excess: 512 }]);
});

t.test('graphics connections, VNC and SPICE', async (t) => {
  const server = { host: '127.0.0.1', service: '5900', family: 'ipv4', websocket: false, auth: 'none' };
  const client = { host: '127.0.0.1', service: '51234', family: 'ipv4', websocket: false };
  t.same(await of(qmp('VNC_CONNECTED', { server, client })), [{
    kind: 'graphics', domain, phase: 0, local: { family: 0, node: '127.0.0.1', service: '5900' }, remote: { family: 0, node: '127.0.0.1', service: '51234' },
    authScheme: 'none', subject: [],
  }]);
  const [init] = await of(qmp('VNC_INITIALIZED', { server: { ...server, auth: 'vencrypt+x509-vnc' }, client: { ...client, x509_dname: 'CN=client' } }));
  t.match(init, { phase: 1, authScheme: 'vencrypt+x509-vnc', subject: [{ type: 'x509dname', name: 'CN=client' }] });
  const [spice] = await of(qmp('SPICE_DISCONNECTED', { server: { host: '::1', port: '5901', family: 'ipv6' }, client: { host: '::1', port: '40000', family: 'ipv6' } }));
  t.match(spice, { phase: 2, local: { family: 1, node: '::1', service: '5901' }, authScheme: 'none' });
});

t.test("the guest agent's channel, and nothing for other channels or unknown events", async (t) => {
  t.same(await of(qmp('VSERPORT_CHANGE', { id: 'channel0', open: true })), [{ kind: 'agentLifecycle', domain, state: 1, reason: 2 }]);
  t.same(await of(qmp('VSERPORT_CHANGE', { id: 'channel0', open: false })), [{ kind: 'agentLifecycle', domain, state: 2, reason: 2 }]);
  t.same(await of(qmp('VSERPORT_CHANGE', { id: 'channel7', open: true })), []);
  t.same(await of(qmp('NIC_RX_FILTER_CHANGED', { name: 'net0', path: '/machine/peripheral/net0/virtio-backend' })), []);
});
