// Each domain event as libvirt 9.0's `virsh event` prints it (the formats of its
// tools/virsh-domain-event.c), one event of every kind the API declares.
import t from 'tap';
import type { DomainEvent } from '@tsvirt/core';
import { eventProcedures } from '@tsvirt/core/protocol';
import { eventLine, eventName } from '../src/output/domain-event-line.js';

const domain = { name: 'vm1' } as DomainEvent['domain'];
const ev = (e: Record<string, unknown>) => ({ domain, ...e }) as DomainEvent;
const address = (node: string, service: string) => ({ family: 0, node, service });

const cases: [DomainEvent, string][] = [
  [ev({ kind: 'lifecycle', event: 5, detail: 1 }), "event 'lifecycle' for domain 'vm1': Stopped Destroyed\n"],
  [ev({ kind: 'reboot' }), "event 'reboot' for domain 'vm1'\n"],
  [ev({ kind: 'rtcChange', offset: -3600 }), "event 'rtc-change' for domain 'vm1': -3600\n"],
  [ev({ kind: 'watchdog', action: 6 }), "event 'watchdog' for domain 'vm1': inject-nmi\n"],
  [ev({ kind: 'ioError', srcPath: '/d.img', devAlias: 'virtio-disk0', action: 1 }), "event 'io-error' for domain 'vm1': /d.img (virtio-disk0) pause\n"],
  [ev({ kind: 'graphics', phase: 0, local: address('127.0.0.1', '5900'), remote: address('127.0.0.1', '40000'), authScheme: 'none', subject: [{ type: 'x509dname', name: 'CN=a' }] }),
    "event 'graphics' for domain 'vm1': connect local[IPv4 127.0.0.1 5900] remote[IPv4 127.0.0.1 40000] none\n\tx509dname=CN=a\n"],
  [ev({ kind: 'ioErrorReason', srcPath: '/d.img', devAlias: 'virtio-disk0', action: 2, reason: 'enospc' }), "event 'io-error-reason' for domain 'vm1': /d.img (virtio-disk0) report due to enospc\n"],
  [ev({ kind: 'controlError' }), "event 'control-error' for domain 'vm1'\n"],
  [ev({ kind: 'blockJob', path: '/d.img', type: 1, status: 0 }), "event 'block-job' for domain 'vm1': Block Pull for /d.img completed\n"],
  [ev({ kind: 'diskChange', newSrcPath: '/new.iso', devAlias: 'sata0-0-0', reason: 0 }), "event 'disk-change' for domain 'vm1' disk sata0-0-0: <null> -> /new.iso: changed\n"],
  [ev({ kind: 'trayChange', devAlias: 'sata0-0-0', reason: 0 }), "event 'tray-change' for domain 'vm1' disk sata0-0-0: opened\n"],
  [ev({ kind: 'pmWakeup', reason: 0 }), "event 'pm-wakeup' for domain 'vm1'\n"],
  [ev({ kind: 'pmSuspend', reason: 0 }), "event 'pm-suspend' for domain 'vm1'\n"],
  [ev({ kind: 'balloonChange', actual: 524288 }), "event 'balloon-change' for domain 'vm1': 524288KiB\n"],
  [ev({ kind: 'pmSuspendDisk', reason: 0 }), "event 'pm-suspend-disk' for domain 'vm1'\n"],
  [ev({ kind: 'deviceRemoved', devAlias: 'virtio-disk1' }), "event 'device-removed' for domain 'vm1': virtio-disk1\n"],
  [ev({ kind: 'blockJob2', dst: 'vda', type: 3, status: 3 }), "event 'block-job-2' for domain 'vm1': Block Commit for vda ready\n"],
  [ev({ kind: 'tunable', params: { 'cputune.vcpupin0': '0-1', 'cputune.shares': 1024 } }), "event 'tunable' for domain 'vm1':\n\tcputune.vcpupin0: 0-1\n\tcputune.shares: 1024\n"],
  [ev({ kind: 'agentLifecycle', state: 1, reason: 2 }), "event 'agent-lifecycle' for domain 'vm1': state: 'connected' reason: 'channel event'\n"],
  [ev({ kind: 'deviceAdded', devAlias: 'net1' }), "event 'device-added' for domain 'vm1': net1\n"],
  [ev({ kind: 'migrationIteration', iteration: 2 }), "event 'migration-iteration' for domain 'vm1': iteration: '2'\n"],
  [ev({ kind: 'jobCompleted', params: { type: 3, compressed: true, ratio: 0.5 } }), "event 'job-completed' for domain 'vm1':\n\ttype: 3\n\tcompressed: yes\n\tratio: 0.500000\n"],
  [ev({ kind: 'deviceRemovalFailed', devAlias: 'hostdev0' }), "event 'device-removal-failed' for domain 'vm1': hostdev0\n"],
  [ev({ kind: 'metadataChange', type: 2, nsuri: 'http://x/' }), "event 'metadata-change' for domain 'vm1': type element, uri http://x/\n"],
  [ev({ kind: 'blockThreshold', dev: 'vda', threshold: 1024, excess: 7 }), "event 'block-threshold' for domain 'vm1': dev: vda(<null>) 1024 7\n"],
  [ev({ kind: 'memoryFailure', recipient: 1, action: 3, flags: 1 }), "event 'memory-failure' for domain 'vm1':\nrecipient: guest\naction: reset\nflags:\n\taction required: 1\n\trecursive: 0\n"],
  [ev({ kind: 'memoryDeviceSizeChange', alias: 'virtiomem0', size: 1048576 }), "event 'memory-device-size-change' for domain 'vm1':\nalias: virtiomem0\nsize: 1048576\n"],
];

t.test('every event kind the API declares is printed as libvirt prints it', async (t) => {
  t.same(cases.map(([e]) => e.kind), eventProcedures.map((e) => e.kind), 'one case per event kind, in id order');
  for (const [e, line] of cases) t.equal(eventLine(e), line, eventName(e.kind));
});

t.test("an out-of-range value is printed as libvirt's virsh prints it", async (t) => {
  t.equal(eventLine(ev({ kind: 'watchdog', action: 99 })), "event 'watchdog' for domain 'vm1': unknown\n");
  t.equal(eventLine(ev({ kind: 'agentLifecycle', state: 9, reason: 0 })), "event 'agent-lifecycle' for domain 'vm1': state: 'unsupported value' reason: 'unknown'\n");
});
