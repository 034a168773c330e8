// The state behind test:/// connections: the domains of the mock hypervisor, its
// networks, storage, host interfaces and devices, and the event listeners. Every
// connection to test:///default in a process shares one; a node file gives each its own.

import { DomainPausedReason, DomainRunningReason, DomainState, ErrorDomain, type NodeInfo } from '@tsvirt/core';
import { DomainEvents, DomainTable, SecretStore, type DomainRef } from '@tsvirt/core/driver';
import {
  applyDomainDefaults, type Capabilities, type DomainDef, type HostInterfaceDef, type NetworkDef, type NodeDeviceDef, type StoragePoolDef,
  type StorageVolDef,
} from '@tsvirt/core/xml';
import { checkDomainTaints } from './domain-taints.js';
import { testVideoModel } from './domain-video.js';
import { TestDomain } from './test-domain.js';
import { TestInterfaces } from './test-interfaces.js';
import { TestNetworks } from './test-networks.js';
import { TestNodeDevices } from './test-node-devices.js';
import { TestStorage } from './test-storage.js';

/** What a test connection starts with: the default node, or a custom node file's objects. */
export interface TestNode {
  nodeInfo: NodeInfo;
  capabilities: Capabilities;
  /** domains with their initial state */
  domains: { def: DomainDef; state: number; persistent: boolean }[];
  networks?: { def: NetworkDef; active: boolean }[];
  pools?: { def: StoragePoolDef; active: boolean; volumes: StorageVolDef[] }[];
  interfaces?: { def: HostInterfaceDef; active: boolean }[];
  nodeDevices?: NodeDeviceDef[];
}

export class TestDriverState {
  readonly domains = new DomainTable<TestDomain>(ErrorDomain.TEST, 'test', 'bare');
  readonly events = new DomainEvents();
  nextId = 1;
  readonly networks: TestNetworks;
  readonly storage: TestStorage;
  readonly interfaces: TestInterfaces;
  readonly nodeDevices: TestNodeDevices;
  /** libvirt's secret driver, in memory: a test connection keeps nothing on disk */
  readonly secrets = SecretStore.inMemory();

  constructor(readonly node: TestNode) {
    this.networks = new TestNetworks(node.networks ?? []);
    this.storage = new TestStorage(node.pools ?? []);
    this.interfaces = new TestInterfaces(node.interfaces ?? []);
    this.nodeDevices = new TestNodeDevices(node.nodeDevices ?? []);
    for (const d of node.domains) {
      const dom = new TestDomain(this.fillDefaults(d.def), d.persistent);
      // as libvirt's test driver, only domains loaded from the node file are checked
      checkDomainTaints(dom.def, dom.messages);
      // as libvirt's test driver: a domain loaded running or paused has no recorded reason
      if (d.state !== DomainState.SHUTOFF) {
        dom.setRunning(this.nextId++, DomainRunningReason.UNKNOWN);
        if (d.state === DomainState.PAUSED) dom.setPaused(DomainPausedReason.UNKNOWN);
      }
      this.domains.add(dom);
    }
  }

  /** The defaults libvirt fills in (its generic ones, then the test driver's): the host's arch, interface target names. */
  fillDefaults(def: DomainDef): DomainDef {
    def.os.arch ??= this.node.capabilities.host.arch;
    applyDomainDefaults(def, { videoModel: testVideoModel });
    let n = 0;
    for (const dev of def.devices) if (dev.kind === 'interface') dev.targetDev ??= `testnet${n++}`;
    return def;
  }

  /** The domain a reference names. */
  dom(ref: DomainRef): TestDomain {
    return this.domains.of(ref);
  }

  /** The host's CPU count: every NUMA cell's sockets, cores and threads. */
  get hostCpus(): number {
    const n = this.node.nodeInfo;
    return n.nodes * n.sockets * n.cores * n.threads;
  }
}
