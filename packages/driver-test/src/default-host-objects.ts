import { element, type HostInterfaceDef, type NetworkDef, type NodeDeviceDef, type StoragePoolDef, type XmlNode } from '@tsvirt/core/xml';

// The networks, storage, interfaces and host devices of a fresh test:///default
// connection: the same as libvirt's test driver. Built as models: no XML is parsed.

const text = (name: string, value: string) => element(name, {}, [value]);
const el = (name: string, attrs: Record<string, string>, ...children: XmlNode[]) => element(name, attrs, children);

export function defaultNetworkDef(): NetworkDef {
  return {
    name: 'default',
    uuid: 'dd8fe884-6c02-601e-7551-cca97df1c5df',
    forward: el('forward', { mode: 'nat' }),
    bridge: { name: 'virbr0', stp: 'on', delay: '0' },
    extra: [
      el('ip', { address: '192.168.122.1', netmask: '255.255.255.0' },
        el('dhcp', {}, el('range', { start: '192.168.122.2', end: '192.168.122.254' }))),
    ],
  };
}

export function defaultPoolDef(): StoragePoolDef {
  return {
    type: 'dir', name: 'default-pool', uuid: 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566',
    capacity: 0, allocation: 0, available: 0, source: [], targetPath: '/default-pool',
  };
}

export function defaultInterfaceDef(): HostInterfaceDef {
  return {
    type: 'ethernet', name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff', startMode: 'onboot',
    extra: [
      el('mtu', { size: '1492' }),
      el('protocol', { family: 'ipv4' }, el('ip', { address: '192.168.0.5', prefix: '24' }), el('route', { gateway: '192.168.0.1' })),
    ],
  };
}

function fcHost(host: string, uniqueId: string, wwn: string, fabric: string, vports: boolean) {
  return el('capability', { type: 'scsi_host' },
    text('host', host), text('unique_id', uniqueId),
    el('capability', { type: 'fc_host' }, text('wwnn', `20000000${wwn}`), text('wwpn', `10000000${wwn}`), text('fabric_wwn', fabric)),
    ...(vports ? [el('capability', { type: 'vport_ops' }, text('max_vports', '0'), text('vports', '0'))] : []));
}

/** The system itself and its Fibre Channel SCSI hosts. */
export function defaultNodeDeviceDefs(): NodeDeviceDef[] {
  return [
    {
      name: 'computer',
      capabilities: [el('capability', { type: 'system' },
        el('hardware', {}, text('vendor', 'Libvirt'), text('version', 'Test driver'), text('serial', '123456'),
          text('uuid', '11111111-2222-3333-4444-555555555555')),
        el('firmware', {}, text('vendor', 'Libvirt'), text('version', 'Test Driver'), text('release_date', '01/22/2007')))],
    },
    { name: 'scsi_host1', parent: 'computer', capabilities: [fcHost('1', '0', '12341234', '2000000043214321', true)] },
    { name: 'scsi_host2', parent: 'computer', capabilities: [fcHost('2', '1', '56785678', '2000000087658765', true)] },
    { name: 'scsi_host11', parent: 'scsi_host1', capabilities: [fcHost('11', '10', '34563456', '2000000043214321', false)] },
  ];
}
