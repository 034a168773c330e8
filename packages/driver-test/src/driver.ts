import { type ConnectDriver, type Driver } from '@tsvirt/core';
import { DEFAULT_NODE_INFO, defaultCapabilities, defaultDomainDef } from './default-node.js';
import { defaultInterfaceDef, defaultNetworkDef, defaultNodeDeviceDefs, defaultPoolDef } from './default-host-objects.js';
import { loadNodeFile } from './node-file.js';
import { TestConnection } from './test-connection.js';
import { DomainState } from '@tsvirt/core';

const defaultNode = (uri: string) => new TestConnection(uri, {
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
let sharedDefault: { state: TestConnection; users: number } | null = null;

export const driver: Driver = {
  name: 'test',
  schemes: ['test'],
  open(uri) {
    if (uri.host !== null || uri.transport !== null) return 'declined';
    if (uri.path !== '/default') return new TestConnection(uri.text, loadNodeFile(uri.path));
    sharedDefault ??= { state: defaultNode(uri.text), users: 0 };
    sharedDefault.users++;
    return connectionTo(sharedDefault);
  },
};

/** One connection to the shared state: its own event registrations and close, the rest the state's. */
function connectionTo(shared: { state: TestConnection; users: number }): ConnectDriver {
  const state = shared.state;
  const ownSinks = new Set<number>();
  let closed = false;
  const own: Partial<ConnectDriver> = {
    connectDomainEventRegister(sink) {
      const id = state.connectDomainEventRegister(sink);
      ownSinks.add(id);
      return id;
    },
    connectDomainEventDeregister(id) {
      state.connectDomainEventDeregister(id);
      ownSinks.delete(id);
    },
    connectClose() {
      if (closed) return;
      closed = true;
      for (const id of ownSinks) state.connectDomainEventDeregister(id);
      if (--shared.users === 0 && sharedDefault === shared) sharedDefault = null;
    },
  };
  // Methods are bound to the state once, not on every call: this is every in-process call's path.
  const bound = new Map<PropertyKey, unknown>(Object.entries(own));
  return new Proxy(state, {
    get(target, prop) {
      let value = bound.get(prop);
      if (value === undefined) {
        value = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        value = value.bind(target);
        bound.set(prop, value);
      }
      return value;
    },
  }) as ConnectDriver;
}
