import type { NodeInfo } from '@tsvirt/core';
import type { Capabilities, DomainDef } from '@tsvirt/core/xml';

// The objects a fresh test:///default connection holds: the same as libvirt's test driver.

export const DEFAULT_NODE_INFO: NodeInfo = {
  model: 'i686', memory: 3145728, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2,
};

const pci = (bus: string, slot: string) => ({ type: 'pci', domain: '0x0000', bus, slot, function: '0x0' });

/** The running domain "test" (id 1). Built as a model: no XML is parsed to open the default node. */
export function defaultDomainDef(): DomainDef {
  return {
    type: 'test',
    name: 'test',
    uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
    memory: 8388608,
    currentMemory: 2097152,
    vcpu: { placement: 'static', max: 2 },
    os: { type: 'hvm', arch: 'i686', boot: ['hd'], extra: [] },
    clockOffset: 'utc',
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    devices: [
      {
        kind: 'disk', type: 'file', device: 'disk', source: { file: '/guest/diskimage1' }, target: { dev: 'vda', bus: 'virtio' },
        readonly: false, shareable: false, address: pci('0x01', '0x00'), extra: [],
      },
      {
        kind: 'interface', type: 'network', mac: 'aa:bb:cc:dd:ee:ff', source: { network: 'default' }, targetDev: 'testnet0',
        address: pci('0x00', '0x01'), extra: [],
      },
      { kind: 'other', element: { name: 'memballoon', attrs: { model: 'virtio' }, line: 0, children: [{ name: 'address', attrs: pci('0x00', '0x02'), children: [], line: 0 }] } },
    ],
    extra: [],
  };
}

function cell(id: number, memoryKiB: number, pages: { size: number; count: number }[]) {
  const cpus = Array.from({ length: 8 }, (_, i) => ({ id: id * 8 + i, socketId: id, dieId: 0, coreId: i, siblings: String(id * 8 + i) }));
  return { id, memoryKiB, pages, cpus };
}

export function defaultCapabilities(): Capabilities {
  const guest = (osType: string) => ({
    osType, arch: 'i686', wordsize: 32, emulator: '/usr/bin/test-hv', domainTypes: ['test'], features: ['pae', 'nonpae'],
  });
  return {
    host: {
      arch: 'i686',
      cpuFeatures: ['pae', 'nonpae'],
      pageSizes: [4, 8, 2048, 1048576],
      cells: [
        cell(0, 2097152, [{ size: 4, count: 524288 }, { size: 2048, count: 0 }, { size: 1048576, count: 0 }]),
        cell(1, 4194304, [{ size: 8, count: 524288 }, { size: 2048, count: 0 }, { size: 1048576, count: 0 }]),
      ],
      secmodels: [{ model: 'testSecurity', doi: '' }],
    },
    guests: [guest('hvm'), guest('xen')],
  };
}
