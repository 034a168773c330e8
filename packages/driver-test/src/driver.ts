import { type Driver } from '@tsvirt/core';
import { DEFAULT_NODE_INFO, defaultCapabilities, defaultDomainDef } from './default-node.js';
import { defaultInterfaceDef, defaultNetworkDef, defaultNodeDeviceDefs, defaultPoolDef } from './default-host-objects.js';
import { loadNodeFile } from './node-file.js';
import { TestConnection } from './test-connection.js';
import { DomainState } from '@tsvirt/core';

/** The test driver: test:///default, a mock hypervisor with libvirt's default objects. */
export const driver: Driver = {
  name: 'test',
  schemes: ['test'],
  open(uri) {
    if (uri.host !== null || uri.transport !== null) return 'declined';
    if (uri.path === '/default') {
      return new TestConnection(uri.text, {
        nodeInfo: DEFAULT_NODE_INFO,
        capabilities: defaultCapabilities(),
        domains: [{ def: defaultDomainDef(), state: DomainState.RUNNING, persistent: true }],
        networks: [{ def: defaultNetworkDef(), active: true }],
        pools: [{ def: defaultPoolDef(), active: true, volumes: [] }],
        interfaces: [{ def: defaultInterfaceDef(), active: true }],
        nodeDevices: defaultNodeDeviceDefs(),
      });
    }
    return new TestConnection(uri.text, loadNodeFile(uri.path));
  },
};
