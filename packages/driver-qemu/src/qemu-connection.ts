// A qemu:/// connection: the method table. The work is in the feature files
// (lifecycle, save, persistence, devices, memory, vcpus, console, host, stats),
// the state they share in driver-state.ts.

import type { Duplex } from 'node:stream';
import {
  ConnectCloseReason, DomainXMLFlags, ErrorDomain, ErrorNumber, VirError, type ConnectCloseCallback, type DomainBlockStats, type DomainInfo,
  type DomainInterfaceStats, type DomainStateInfo, type NodeCPUMap, type NodeInfo, type VcpuInfo, type VcpuPin, type NetworkDHCPLease, type StoragePoolInfo,
  type StorageVolInfo, type DomainJobInfo, type MemoryStat, type DomainStatsRecord,
} from '@tsvirt/core';
import {
  CloseCallbacks, type ConnectDriver, type DomainEventFilterData, type DomainEventSink, type DomainRef, type DomainSnapshotRef, type NetworkRef,
  type StoragePoolRef, type StorageVolRef, claimAutostart,
} from '@tsvirt/core/driver';
import { formatDomainXml } from '@tsvirt/core/xml';
import { hostname } from 'node:os';
import { openConsole } from './console.js';
import { changeDevice } from './devices.js';
import { allDomainStats } from './domain-stats-groups.js';
import { QemuDriverState, type QemuConnectionOptions } from './driver-state.js';
import { capabilitiesXml, domainCapabilitiesXml, nodeCpuMap, nodeInfo, qemuVersion } from './host.js';
import * as lifecycle from './lifecycle.js';
import { setMemory } from './memory.js';
import { domainXmlToNative } from './native-format.js';
import { nativeOptionsFor } from './native-options.js';
import { defineDomain, setAutostart, undefineDomain } from './persistence.js';
import { checkFlags } from './qemu-errors.js';
import { loadDomains } from './reconnection.js';
import * as snapshots from './snapshots.js';
import * as save from './save.js';
import { StorageDriver } from './storage/storage-driver.js';
import { NetworkDriver } from './network/network-driver.js';
import { interfaceAddresses } from './interface-addresses.js';
import { schedulerParameters, schedulerType, setSchedulerParameters } from './scheduler.js';
import { abortJob, domainJobInfo } from './jobs.js';
import { domainBlockStats, domainInfo, domainInterfaceStats, domainMemoryStats, domainState } from './stats.js';
import { getVcpuCount, getVcpuPinInfo, getVcpus, pinVcpu, setVcpus } from './vcpus.js';

export type { QemuConnectionOptions } from './driver-state.js';

export class QemuConnection implements ConnectDriver {
  static async open(options: QemuConnectionOptions): Promise<QemuConnection> {
    const s = new QemuDriverState(options);
    // networks and pools first: autostarted guests use them
    s.network = await NetworkDriver.open(options.dirs);
    const storage = await StorageDriver.open(options.dirs);
    await loadDomains(s);
    if (await claimAutostart(options.dirs.runDir)) await lifecycle.autostartDomains(s);
    return new QemuConnection(s, storage);
  }

  readonly #s: QemuDriverState;
  readonly #closeCallbacks = new CloseCallbacks(ErrorDomain.NONE);
  readonly #storage: StorageDriver;

  private constructor(state: QemuDriverState, storage: StorageDriver) {
    this.#s = state;
    this.#storage = storage;
  }

  connectClose(): Promise<void> {
    this.#s.closed = true;
    // The guests outlive the connection; the next one reattaches through their state files.
    return Promise.all([...this.#s.domains.all()].map((d) => d.running?.release())).then(() => this.#closeCallbacks.notify(ConnectCloseReason.CLIENT));
  }
  connectRegisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.register(cb); }
  connectUnregisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.unregister(cb); }

  connectGetCapabilities(): Promise<string> { return capabilitiesXml(this.#s); }
  connectGetNodeInfo(): Promise<NodeInfo> { return nodeInfo(); }
  connectGetCPUMap(flags: number): Promise<NodeCPUMap> { return nodeCpuMap(flags); }
  connectGetDomainCapabilities(emulatorbin: string | undefined, arch: string | undefined, machine: string | undefined, virttype: string | undefined, flags: number) {
    return domainCapabilitiesXml(this.#s, emulatorbin, arch, machine, virttype, flags);
  }
  connectGetVersion(): Promise<number> { return qemuVersion(this.#s); }
  connectGetType() { return 'QEMU'; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.#s.options.uri; }
  connectIsAlive() { return !this.#s.closed; }
  connectDomainXMLToNative(nativeFormat: string, domainXml: string, flags: number): Promise<string> {
    return domainXmlToNative(() => this.#s.capabilities(), (uuid) => nativeOptionsFor(this.#s.dirs, uuid), nativeFormat, domainXml, flags);
  }

  connectListAllDomains(flags: number): DomainRef[] { return this.#s.domains.list(flags).map((d) => d.ref()); }
  connectLookupDomainByName(name: string): DomainRef { return this.#s.domains.byName(name).ref(); }
  connectLookupDomainByUUID(uuid: string): DomainRef { return this.#s.domains.byUuid(uuid).ref(); }
  connectLookupDomainByID(id: number): DomainRef { return this.#s.domains.byId(id).ref(); }

  connectDefineDomainXML(xml: string, flags: number): Promise<DomainRef> { return defineDomain(this.#s, xml, flags); }
  domainUndefine(ref: DomainRef, flags: number): Promise<void> { return undefineDomain(this.#s, ref, flags); }
  domainGetAutostart(ref: DomainRef) { return this.#s.dom(ref).autostart; }
  domainSetAutostart(ref: DomainRef, autostart: boolean): Promise<void> { return setAutostart(this.#s, ref, autostart); }

  connectCreateDomainXML(xml: string, flags: number): Promise<DomainRef> { return lifecycle.createDomainXML(this.#s, xml, flags); }
  domainCreate(ref: DomainRef, flags: number): Promise<void> { return lifecycle.createDomain(this.#s, ref, flags); }
  domainDestroy(ref: DomainRef, flags: number): Promise<void> { return lifecycle.destroyDomain(this.#s, ref, flags); }
  domainShutdown(ref: DomainRef, flags: number): Promise<void> { return lifecycle.shutdownDomain(this.#s, ref, flags); }
  domainReboot(ref: DomainRef, flags: number): Promise<void> { return lifecycle.rebootDomain(this.#s, ref, flags); }
  domainReset(ref: DomainRef, flags: number): Promise<void> { return lifecycle.resetDomain(this.#s, ref, flags); }
  domainSuspend(ref: DomainRef): Promise<void> { return lifecycle.suspendDomain(this.#s, ref); }
  domainResume(ref: DomainRef): Promise<void> { return lifecycle.resumeDomain(this.#s, ref); }

  domainSave(ref: DomainRef, to: string, dxml: string | undefined, flags: number): Promise<void> { return save.saveDomain(this.#s, ref, to, dxml, flags); }
  connectRestoreDomain(from: string, dxml: string | undefined, flags: number): Promise<void> { return save.restoreDomainFile(this.#s, from, dxml, flags); }
  domainManagedSave(ref: DomainRef, flags: number): Promise<void> { return save.managedSaveDomain(this.#s, ref, flags); }
  domainHasManagedSaveImage(ref: DomainRef, flags: number): boolean { return save.hasManagedSaveImage(this.#s, ref, flags); }
  domainManagedSaveRemove(ref: DomainRef, flags: number): Promise<void> { return save.removeManagedSave(this.#s, ref, flags); }

  domainGetInfo(ref: DomainRef): Promise<DomainInfo> { return domainInfo(this.#s, ref); }
  domainGetState(ref: DomainRef, flags: number): DomainStateInfo { return domainState(this.#s, ref, flags); }
  domainGetXMLDesc(ref: DomainRef, flags: number): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.UPDATE_CPU | DomainXMLFlags.MIGRATABLE, 'qemuDomainGetXMLDesc');
    const d = this.#s.dom(ref);
    const secure = (flags & DomainXMLFlags.SECURE) !== 0;
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.persistentDef, { inactive: true, secure });
    return formatDomainXml(d.def, { id: d.active ? d.id : undefined, secure });
  }
  domainGetOSType(ref: DomainRef) { return this.#s.dom(ref).def.os.type; }
  domainIsActive(ref: DomainRef) { return this.#s.dom(ref).active; }
  domainIsPersistent(ref: DomainRef) { return this.#s.dom(ref).persistent; }
  domainBlockStats(ref: DomainRef, disk: string): Promise<DomainBlockStats> { return domainBlockStats(this.#s, ref, disk); }
  domainInterfaceStats(ref: DomainRef, device: string): Promise<DomainInterfaceStats> { return domainInterfaceStats(this.#s, ref, device); }
  domainOpenConsole(ref: DomainRef, devname: string | undefined, flags: number): Duplex { return openConsole(this.#s, ref, devname, flags); }

  domainAttachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> { return changeDevice(this.#s, ref, xml, flags, 'attach'); }
  domainDetachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> { return changeDevice(this.#s, ref, xml, flags, 'detach'); }
  domainUpdateDevice(ref: DomainRef, xml: string, flags: number): Promise<void> { return changeDevice(this.#s, ref, xml, flags, 'update'); }
  domainSnapshotCreateXML(ref: DomainRef, xml: string, flags: number) { return snapshots.createSnapshot(this.#s, ref, xml, flags); }
  domainListAllSnapshots(ref: DomainRef, flags: number) { return snapshots.listSnapshots(this.#s, ref, flags); }
  domainSnapshotLookupByName(ref: DomainRef, name: string, flags: number) { return snapshots.lookupSnapshot(this.#s, ref, name, flags); }
  domainHasCurrentSnapshot(ref: DomainRef, flags: number) { return snapshots.hasCurrentSnapshot(this.#s, ref, flags); }
  domainSnapshotCurrent(ref: DomainRef, flags: number) { return snapshots.currentSnapshot(this.#s, ref, flags); }
  domainSnapshotGetXMLDesc(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotXml(this.#s, ref, flags); }
  domainSnapshotGetParent(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotParent(this.#s, ref, flags); }
  domainSnapshotListAllChildren(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotChildren(this.#s, ref, flags); }
  domainSnapshotIsCurrent(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotIsCurrent(this.#s, ref, flags); }
  domainSnapshotHasMetadata(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotHasMetadata(this.#s, ref, flags); }
  domainSnapshotDelete(ref: DomainSnapshotRef, flags: number) { return snapshots.deleteSnapshot(this.#s, ref, flags); }
  domainSnapshotRevert(ref: DomainSnapshotRef, flags: number) { return snapshots.revertToSnapshot(this.#s, ref, flags); }

  domainSetMemory(ref: DomainRef, memory: number, flags: number): Promise<void> { return setMemory(this.#s, ref, memory, flags); }
  domainGetVcpusFlags(ref: DomainRef, flags: number): number { return getVcpuCount(this.#s, ref, flags); }
  domainSetVcpus(ref: DomainRef, nvcpus: number, flags: number): Promise<void> { return setVcpus(this.#s, ref, nvcpus, flags); }
  domainMemoryStats(ref: DomainRef, flags: number): Promise<MemoryStat[]> { return domainMemoryStats(this.#s, ref, flags); }
  domainGetJobInfo(ref: DomainRef): DomainJobInfo { return domainJobInfo(this.#s, ref); }
  domainAbortJob(ref: DomainRef): Promise<void> { return abortJob(this.#s, ref); }
  domainGetSchedulerType(ref: DomainRef) { return schedulerType(this.#s, ref); }
  domainGetSchedulerParameters(ref: DomainRef) { return schedulerParameters(this.#s, ref); }
  domainSetSchedulerParameters(ref: DomainRef) { setSchedulerParameters(this.#s, ref); }
  domainInterfaceAddresses(ref: DomainRef, source: number, flags: number) { return interfaceAddresses(this.#s, ref, source, flags); }
  connectGetAllDomainStats(stats: number, flags: number): Promise<DomainStatsRecord[]> { return allDomainStats(this.#s, stats, flags); }
  domainGetVcpus(ref: DomainRef): Promise<VcpuInfo[]> { return getVcpus(this.#s, ref); }
  domainPinVcpu(ref: DomainRef, vcpu: number, cpus: number[], flags: number): Promise<void> { return pinVcpu(this.#s, ref, vcpu, cpus, flags); }
  domainGetVcpuPinInfo(ref: DomainRef, flags: number): VcpuPin[] { return getVcpuPinInfo(this.#s, ref, flags); }

  connectDomainEventRegister(listener: DomainEventSink, filter?: DomainEventFilterData): number { return this.#s.events.register(listener, filter); }
  connectDomainEventDeregister(callbackId: number): void { this.#s.events.deregister(callbackId); }

  // storage pools and volumes (storage/)
  connectListAllStoragePools(flags: number): StoragePoolRef[] { return this.#storage.pools.list(flags).map((p) => p.ref()); }
  connectLookupStoragePoolByName(name: string): StoragePoolRef { return this.#storage.pools.byName(name).ref(); }
  connectLookupStoragePoolByUUID(uuid: string): StoragePoolRef { return this.#storage.pools.byUuid(uuid).ref(); }
  async connectDefineStoragePoolXML(xml: string, flags: number): Promise<StoragePoolRef> { return (await this.#storage.pools.define(xml, flags)).ref(); }
  async connectCreateStoragePoolXML(xml: string, flags: number): Promise<StoragePoolRef> { return (await this.#storage.pools.create(xml, flags)).ref(); }
  storagePoolCreate(ref: StoragePoolRef, flags: number): Promise<void> { return this.#storage.pools.start(ref, flags); }
  storagePoolBuild(ref: StoragePoolRef, flags: number): Promise<void> { return this.#storage.pools.build(ref, flags); }
  storagePoolDestroy(ref: StoragePoolRef): Promise<void> { return this.#storage.pools.destroy(ref); }
  storagePoolDelete(ref: StoragePoolRef, flags: number): Promise<void> { return this.#storage.pools.delete(ref, flags); }
  storagePoolUndefine(ref: StoragePoolRef): Promise<void> { return this.#storage.pools.undefine(ref); }
  storagePoolRefresh(ref: StoragePoolRef, flags: number): Promise<void> { return this.#storage.pools.refreshCall(ref, flags); }
  storagePoolGetInfo(ref: StoragePoolRef): StoragePoolInfo { return this.#storage.pools.info(ref); }
  storagePoolGetXMLDesc(ref: StoragePoolRef, flags: number): Promise<string> { return this.#storage.pools.xml(ref, flags); }
  storagePoolGetAutostart(ref: StoragePoolRef): boolean { return this.#storage.pools.get(ref).autostart; }
  storagePoolSetAutostart(ref: StoragePoolRef, autostart: boolean): Promise<void> { return this.#storage.pools.setAutostart(ref, autostart); }
  storagePoolIsActive(ref: StoragePoolRef): boolean { return this.#storage.pools.get(ref).active; }
  storagePoolIsPersistent(ref: StoragePoolRef): boolean { return this.#storage.pools.get(ref).persistent; }
  storagePoolListAllVolumes(ref: StoragePoolRef, flags: number): StorageVolRef[] { return this.#storage.volumes.list(ref, flags); }
  storagePoolLookupVolumeByName(ref: StoragePoolRef, name: string): StorageVolRef { return this.#storage.volumes.byName(ref, name); }
  connectLookupStorageVolByKey(key: string): StorageVolRef { return this.#storage.volumes.byKey(key); }
  connectLookupStorageVolByPath(path: string): StorageVolRef { return this.#storage.volumes.byPath(path); }
  storagePoolCreateVolumeXML(ref: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef> { return this.#storage.volumes.create(ref, xml, flags); }
  storagePoolCreateVolumeXMLFrom(ref: StoragePoolRef, xml: string, from: StorageVolRef, flags: number): Promise<StorageVolRef> {
    return this.#storage.volumes.create(ref, xml, flags, from);
  }
  storageVolGetInfo(ref: StorageVolRef): StorageVolInfo { return this.#storage.volumes.info(ref); }
  storageVolGetXMLDesc(ref: StorageVolRef, flags: number): string { return this.#storage.volumes.xml(ref, flags); }
  storageVolDelete(ref: StorageVolRef, flags: number): Promise<void> { return this.#storage.volumes.delete(ref, flags); }
  storageVolResize(ref: StorageVolRef, capacity: number, flags: number): Promise<void> { return this.#storage.volumes.resize(ref, capacity, flags); }
  storageVolWipe(ref: StorageVolRef, flags: number): Promise<void> { return this.#storage.volumes.wipe(ref, flags); }
  storageVolUpload(ref: StorageVolRef, offset: number, length: number, flags: number): Promise<Duplex> { return this.#storage.volumes.upload(ref, offset, length, flags); }
  storageVolDownload(ref: StorageVolRef, offset: number, length: number, flags: number): Promise<Duplex> { return this.#storage.volumes.download(ref, offset, length, flags); }

  // virtual networks (network/; the network driver runs as root only)
  get #net() {
    if (!this.#s.network) throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.NETWORK, 'virtual networks need the network driver, which runs as root');
    return this.#s.network.networks;
  }
  connectListAllNetworks(flags: number): NetworkRef[] { return this.#net.list(flags).map((n) => n.ref()); }
  connectLookupNetworkByName(name: string): NetworkRef { return this.#net.byName(name).ref(); }
  connectLookupNetworkByUUID(uuid: string): NetworkRef { return this.#net.byUuid(uuid).ref(); }
  async connectDefineNetworkXML(xml: string): Promise<NetworkRef> { return (await this.#net.define(xml)).ref(); }
  async connectCreateNetworkXML(xml: string): Promise<NetworkRef> { return (await this.#net.create(xml)).ref(); }
  networkCreate(ref: NetworkRef): Promise<void> { return this.#net.start(ref); }
  networkDestroy(ref: NetworkRef): Promise<void> { return this.#net.destroy(ref); }
  networkUndefine(ref: NetworkRef): Promise<void> { return this.#net.undefine(ref); }
  networkGetXMLDesc(ref: NetworkRef, flags: number): string { return this.#net.xml(ref, flags); }
  networkGetBridgeName(ref: NetworkRef): string { return this.#net.bridgeName(ref); }
  networkGetAutostart(ref: NetworkRef): boolean { return this.#net.get(ref).autostart; }
  networkSetAutostart(ref: NetworkRef, autostart: boolean): Promise<void> { return this.#net.setAutostart(ref, autostart); }
  networkIsActive(ref: NetworkRef): boolean { return this.#net.get(ref).active; }
  networkIsPersistent(ref: NetworkRef): boolean { return this.#net.get(ref).persistent; }
  networkGetDHCPLeases(ref: NetworkRef, mac: string | undefined, flags: number): Promise<NetworkDHCPLease[]> { return this.#net.leases(ref, mac, flags); }
}
