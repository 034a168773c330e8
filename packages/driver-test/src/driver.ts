import { DomainState } from '@tsvirt/core';
import type { Driver } from '@tsvirt/core/driver';
import { DEFAULT_NODE_INFO, defaultCapabilities, defaultDomainDef } from './default-node.js';
import { defaultInterfaceDef, defaultNetworkDef, defaultNodeDeviceDefs, defaultPoolDef } from './default-host-objects.js';
import { TestDriverState } from './driver-state.js';
import { loadNodeFile } from './node-file.js';
import { TestConnection } from './test-connection.js';

const defaultNode = () => new TestDriverState({
  nodeInfo: DEFAULT_NODE_INFO,
  capabilities: defaultCapabilities(),
  domains: [{ def: defaultDomainDef(), state: DomainState.RUNNING, persistent: true }],
  networks: [{ def: defaultNetworkDef(), active: true }],
  pools: [{ def: defaultPoolDef(), active: true, volumes: [] }],
  interfaces: [{ def: defaultInterfaceDef(), active: true }],
  nodeDevices: defaultNodeDeviceDefs(),
});

/**
 * test:///default's one state in this process, shared by its open connections as in
 * libvirt; it goes with the last of them, and the next open starts afresh. A node file
 * (test:///path/to/node.xml) gives each connection its own state, as in libvirt.
 */
let sharedDefault: { state: TestDriverState; users: number } | null = null;

export const driver: Driver = {
  name: 'test',
  schemes: ['test'],
  open(uri, options) {
    if (uri.host !== null || uri.transport !== null) return 'declined';
    if (uri.path !== '/default') return new TestConnection(uri.text, new TestDriverState(loadNodeFile(uri.path, options.fileDirs ?? null)));
    const shared = sharedDefault ??= { state: defaultNode(), users: 0 };
    shared.users++;
    return new TestConnection(uri.text, shared.state, () => {
      if (--shared.users === 0 && sharedDefault === shared) sharedDefault = null;
    });
  },
};
