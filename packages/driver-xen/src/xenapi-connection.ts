// A xenapi://[user@]HOST[:PORT]/ connection: the method table. The work is in
// xenapi/ (client, VM records, lifecycle, host, snapshots, events).

import {
  ConnectCloseReason, ErrorDomain, ErrorNumber, type ConnectCloseCallback, type DomainInfo, type DomainStateInfo, type NodeInfo,
} from '@tsvirt/core';
import {
  CloseCallbacks, domainMatchesListFlags, type ConnectDriver, type DomainEventFilterData, type DomainEventSink, type DomainRef, type DomainSnapshotRef,
} from '@tsvirt/core/driver';
import { XenApiClient, type XenApiClientOptions } from './xenapi/xenapi-client.js';
import { xenapiError } from './xenapi/xenapi-errors.js';
import { XenApiEventWatch } from './xenapi/xenapi-events.js';
import { hostName, nodeInfo, version } from './xenapi/xenapi-host.js';
import * as life from './xenapi/xenapi-lifecycle.js';
import * as snap from './xenapi/xenapi-snapshots.js';
import { XenApiState } from './xenapi/xenapi-state.js';
import { domainStateOf, type VmRecord } from './xenapi/xenapi-vm.js';

export interface XenApiConnectionOptions extends XenApiClientOptions {
  uri: string;
}

/** What libvirt's list filter needs to know of a VM. */
const listable = (vm: VmRecord) => ({
  active: life.isActive(vm), persistent: true, autostart: false, managedSave: vm.powerState === 'Suspended',
  state: domainStateOf(vm).state, hasSnapshots: vm.snapshots.length > 0,
});

export class XenApiConnection implements ConnectDriver {
  /** Log in (so that a wrong password or an unreachable host fails the open) and make the connection. */
  static async open(options: XenApiConnectionOptions): Promise<XenApiConnection> {
    const client = new XenApiClient(options);
    try {
      await client.login();
    } catch (e) {
      await client.close();
      throw e;
    }
    return new XenApiConnection(new XenApiState(options.uri, client));
  }

  readonly #s: XenApiState;
  readonly #watch: XenApiEventWatch;
  readonly #closeCallbacks = new CloseCallbacks(ErrorDomain.NONE);

  private constructor(state: XenApiState) {
    this.#s = state;
    this.#watch = new XenApiEventWatch(state);
  }

  async connectClose(): Promise<void> {
    this.#s.closed = true;
    this.#watch.stop();
    await this.#s.client.close();
    this.#closeCallbacks.notify(ConnectCloseReason.CLIENT);
  }
  connectRegisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.register(cb); }
  connectUnregisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.unregister(cb); }

  connectGetType() { return 'XenAPI'; }
  connectGetLibVersion() { return 9000000; }
  connectGetURI() { return this.#s.uri; }
  connectIsAlive() { return !this.#s.closed; }
  connectGetHostname(): Promise<string> { return hostName(this.#s); }
  connectGetVersion(): Promise<number> { return version(this.#s); }
  connectGetNodeInfo(): Promise<NodeInfo> { return nodeInfo(this.#s); }

  connectListAllDomains(flags: number): Promise<DomainRef[]> {
    return life.listAll(this.#s, flags, (vm) => domainMatchesListFlags(flags, listable(vm)));
  }
  connectLookupDomainByName(name: string): Promise<DomainRef> { return life.lookupByName(this.#s, name); }
  connectLookupDomainByUUID(uuid: string): Promise<DomainRef> { return life.lookupByUuid(this.#s, uuid); }
  connectLookupDomainByID(id: number): Promise<DomainRef> { return life.lookupById(this.#s, id); }

  domainGetInfo(ref: DomainRef): Promise<DomainInfo> { return life.domainInfo(this.#s, ref); }
  domainGetState(ref: DomainRef, flags: number): Promise<DomainStateInfo> { return life.domainState(this.#s, ref, flags); }
  domainGetXMLDesc(ref: DomainRef, flags: number): Promise<string> { return life.domainXml(this.#s, ref, flags); }
  async domainGetOSType(ref: DomainRef): Promise<string> { return (await this.#s.vm(ref)).hvm ? 'hvm' : 'xen'; }
  async domainIsActive(ref: DomainRef): Promise<boolean> { return life.isActive(await this.#s.vm(ref)); }
  async domainIsPersistent(ref: DomainRef): Promise<boolean> { await this.#s.vm(ref); return true; }
  domainGetMaxMemory(ref: DomainRef): Promise<number> { return life.maxMemory(this.#s, ref); }
  domainSetMaxMemory(ref: DomainRef, memory: number): Promise<void> { return life.setMaxMemory(this.#s, ref, memory); }
  domainSetMemory(ref: DomainRef, memory: number, flags: number): Promise<void> { return life.setMemory(this.#s, ref, memory, flags); }
  domainGetMaxVcpus(ref: DomainRef): Promise<number> { return life.maxVcpus(this.#s, ref); }
  domainSetVcpus(ref: DomainRef, nvcpus: number, flags: number): Promise<void> { return life.setVcpus(this.#s, ref, nvcpus, flags); }

  domainCreate(ref: DomainRef, flags: number): Promise<void> { return life.createDomain(this.#s, ref, flags); }
  domainShutdown(ref: DomainRef, flags: number): Promise<void> { return life.shutdownDomain(this.#s, ref, flags); }
  domainDestroy(ref: DomainRef, flags: number): Promise<void> { return life.destroyDomain(this.#s, ref, flags); }
  domainReboot(ref: DomainRef, flags: number): Promise<void> { return life.rebootDomain(this.#s, ref, flags); }
  domainReset(ref: DomainRef, flags: number): Promise<void> { return life.resetDomain(this.#s, ref, flags); }
  domainSuspend(ref: DomainRef): Promise<void> { return life.suspendDomain(this.#s, ref); }
  domainResume(ref: DomainRef): Promise<void> { return life.resumeDomain(this.#s, ref); }

  domainSnapshotCreateXML(ref: DomainRef, xml: string, flags: number): Promise<DomainSnapshotRef> { return snap.createSnapshot(this.#s, ref, xml, flags); }
  domainListAllSnapshots(ref: DomainRef, flags: number): Promise<DomainSnapshotRef[]> { return snap.listSnapshots(this.#s, ref, flags); }
  domainSnapshotLookupByName(ref: DomainRef, name: string, flags: number): Promise<DomainSnapshotRef> { return snap.lookupSnapshot(this.#s, ref, name, flags); }
  domainSnapshotGetXMLDesc(s: DomainSnapshotRef, flags: number): Promise<string> { return snap.snapshotXml(this.#s, s, flags); }
  domainSnapshotRevert(s: DomainSnapshotRef, flags: number): Promise<void> { return snap.revertSnapshot(this.#s, s, flags); }
  domainSnapshotDelete(s: DomainSnapshotRef, flags: number): Promise<void> { return snap.deleteSnapshot(this.#s, s, flags); }

  async connectDomainEventRegister(listener: DomainEventSink, filter?: DomainEventFilterData): Promise<number> {
    const id = this.#s.events.register(listener, filter);
    await this.#watch.start();
    return id;
  }
  connectDomainEventDeregister(callbackId: number): void {
    this.#s.events.deregister(callbackId);
    if (this.#s.events.size === 0) this.#watch.stop();
  }
}

/** libvirt's words for a xenapi:// URI without a host. */
export const noServer = () => xenapiError(ErrorNumber.INVALID_ARG, 'Server name not in URI');
