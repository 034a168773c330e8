// A test:/// connection: the method table. The work is in the feature files (lifecycle,
// persistence, save, snapshots, devices, memory, vcpus, stats, host, ...), the state they
// share in driver-state.ts; each connection keeps its own event registrations.

import { hostname } from 'node:os';
import {
  ConnectCloseReason, DomainMessageType, DomainMemoryModFlags, DomainModificationImpact as Impact, DomainVcpuFlags, DomainXMLFlags, ErrorDomain,
  ErrorNumber, VirError, type ConnectCloseCallback, type DomainInfo, type DomainStateInfo, type DomainStatsRecord, type NodeInfo, type SecurityLabel, type SecurityModel,
  type DomainMetadataType, type SecretUsageType, type StoragePoolInfo, type StorageVolInfo, type TypedParams,
} from '@tsvirt/core';
import {
  CloseCallbacks, noEventCallback, type ConnectDriver, type DomainEventFilterData, type DomainEventSink, type DomainRef, type DomainSnapshotRef,
  type InterfaceRef, type NetworkRef, type NodeDeviceRef, type SecretRef, type StoragePoolRef, type StorageVolRef,
} from '@tsvirt/core/driver';
import { plainRef } from '@tsvirt/core/protocol';
import { formatCapabilitiesXml, formatDomainXml } from '@tsvirt/core/xml';
import { attachDomainDevice, detachDomainDevice } from './devices.js';
import { getDomainMetadata, setDomainMetadata } from './domain-metadata.js';
import * as tunables from './domain-tunables.js';
import type { TestDriverState } from './driver-state.js';
import { TEST_CPU_MAP, TEST_CPU_STATS, TEST_SYSINFO_XML, cellsFreeMemory, freeMemory } from './host.js';
import * as lifecycle from './lifecycle.js';
import { setDomainMemory } from './memory.js';
import { defineDomain, renameDomain, setAutostart, undefineDomain } from './persistence.js';
import * as save from './save.js';
import * as snapshots from './snapshots.js';
import * as stats from './stats.js';
import { checkFlags, notRunning, notRunningHere } from './test-errors.js';
import { TEST_MAX_VCPUS, domainVcpuInfo, getDomainVcpus, pinDomainVcpu, setDomainVcpus, vcpuPins } from './vcpus.js';

export type { TestNode } from './driver-state.js';

// What applications get: references as values (their identifying fields), never the stores' objects.
const networkRef = (n: NetworkRef) => plainRef('Network', n) as unknown as NetworkRef;
const poolRef = (p: StoragePoolRef) => plainRef('StoragePool', p) as unknown as StoragePoolRef;
const volRef = (v: StorageVolRef) => plainRef('StorageVol', v) as unknown as StorageVolRef;
const interfaceRef = (i: InterfaceRef) => plainRef('Interface', i) as unknown as InterfaceRef;
const nodeDeviceRef = (d: NodeDeviceRef) => plainRef('NodeDevice', d) as unknown as NodeDeviceRef;

export class TestConnection implements ConnectDriver {
  /** the event listeners this connection registered, dropped when it closes */
  readonly #listeners = new Set<number>();
  readonly #closeCallbacks = new CloseCallbacks(ErrorDomain.NONE);
  #closed = false;

  /** `onClose`: the connection's last word to whoever shares the state. */
  constructor(private readonly uri: string, private readonly s: TestDriverState, private readonly onClose: () => void = () => {}) {}

  connectClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of this.#listeners) this.s.events.deregister(id);
    this.onClose();
    this.#closeCallbacks.notify(ConnectCloseReason.CLIENT);
  }
  connectRegisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.register(cb); }
  connectUnregisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.unregister(cb); }

  connectGetType() { return 'TEST'; }
  connectGetVersion() { return 2; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.uri; }
  connectGetCapabilities() { return formatCapabilitiesXml(this.s.node.capabilities); }
  connectGetMaxVcpus() { return TEST_MAX_VCPUS; }
  connectGetNodeInfo(): NodeInfo { return { ...this.s.node.nodeInfo }; }
  connectGetSecurityModel(): SecurityModel { return { model: 'testSecurity', doi: '' }; }
  connectIsAlive() { return true; }
  connectGetSysinfo(flags: number) {
    checkFlags(flags, 0, 'testConnectGetSysinfo');
    return TEST_SYSINFO_XML;
  }
  connectGetCellsFreeMemory(startCell: number, maxCells: number) { return cellsFreeMemory(this.s.node.capabilities, startCell, maxCells); }
  connectGetFreeMemory() { return freeMemory(this.s.node.capabilities); }
  connectGetCPUMap(flags: number) {
    checkFlags(flags, 0, 'testNodeGetCPUMap');
    return { cpus: TEST_CPU_MAP.cpus, online: [...TEST_CPU_MAP.online] };
  }
  connectGetCPUStats(cpuNum: number, flags: number): TypedParams {
    checkFlags(flags, 0, 'testNodeGetCPUStats');
    if (cpuNum !== -1 && (cpuNum < 0 || cpuNum >= this.s.hostCpus)) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, `Invalid cpuNum in testNodeGetCPUStats`);
    }
    return { ...TEST_CPU_STATS };
  }

  connectListAllDomains(flags: number): DomainRef[] { return this.s.domains.list(flags).map((d) => d.ref()); }
  connectLookupDomainByName(name: string): DomainRef { return this.s.domains.byName(name).ref(); }
  connectLookupDomainByUUID(uuid: string): DomainRef { return this.s.domains.byUuid(uuid).ref(); }
  connectLookupDomainByID(id: number): DomainRef { return this.s.domains.byId(id).ref(); }
  connectGetAllDomainStats(types: number, flags: number): Promise<DomainStatsRecord[]> { return stats.allDomainStats(this.s.domains, types, flags); }

  connectDefineDomainXML(xml: string, flags: number): DomainRef | Promise<DomainRef> { return defineDomain(this.s, xml, flags); }
  domainUndefine(ref: DomainRef, flags: number): void { undefineDomain(this.s, ref, flags); }
  domainGetAutostart(ref: DomainRef) { return this.s.dom(ref).autostart; }
  domainSetAutostart(ref: DomainRef, autostart: boolean): void { setAutostart(this.s, ref, autostart); }
  domainRename(ref: DomainRef, newName: string, flags: number): void { renameDomain(this.s, ref, newName, flags); }

  connectCreateDomainXML(xml: string, flags: number): DomainRef { return lifecycle.createDomainXML(this.s, xml, flags); }
  domainCreate(ref: DomainRef, flags: number): void { lifecycle.createDomain(this.s, ref, flags); }
  domainShutdown(ref: DomainRef, flags: number): void { lifecycle.shutdownDomain(this.s, ref, flags); }
  domainReboot(ref: DomainRef, flags: number): void { lifecycle.rebootDomain(this.s, ref, flags); }
  domainReset(ref: DomainRef, flags: number): void { lifecycle.resetDomain(this.s, ref, flags); }
  domainDestroy(ref: DomainRef, flags: number): void { lifecycle.destroyDomain(this.s, ref, flags); }
  domainSuspend(ref: DomainRef): void { lifecycle.suspendDomain(this.s, ref); }
  domainResume(ref: DomainRef): void { lifecycle.resumeDomain(this.s, ref); }

  domainManagedSave(ref: DomainRef, flags: number): void { save.managedSaveDomain(this.s, ref, flags); }
  domainHasManagedSaveImage(ref: DomainRef, flags: number) { return save.hasManagedSaveImage(this.s, ref, flags); }
  domainManagedSaveRemove(ref: DomainRef, flags: number): void { save.removeManagedSave(this.s, ref, flags); }
  domainSave(ref: DomainRef, to: string, dxml: string | undefined, flags: number): void { save.saveDomain(this.s, ref, to, dxml, flags); }
  connectRestoreDomain(from: string, dxml: string | undefined, flags: number): void { save.restoreDomain(this.s, from, dxml, flags); }

  domainGetInfo(ref: DomainRef): DomainInfo { return stats.domainInfo(this.s.dom(ref)); }
  domainGetState(ref: DomainRef, flags: number): DomainStateInfo { return stats.domainState(this.s.dom(ref), flags); }
  domainGetXMLDesc(ref: DomainRef, flags: number): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.MIGRATABLE, 'testDomainGetXMLDesc');
    const d = this.s.dom(ref);
    const secure = (flags & DomainXMLFlags.SECURE) !== 0;
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.persistentDef, { inactive: true, secure });
    return formatDomainXml(d.def, { id: d.active ? d.id : undefined, secure });
  }
  domainGetOSType() { return 'linux'; }
  domainGetMessages(ref: DomainRef, flags: number) {
    checkFlags(flags, DomainMessageType.DEPRECATION | DomainMessageType.TAINTING, 'testDomainGetMessages');
    return this.s.dom(ref).messages.list(flags);
  }
  domainIsActive(ref: DomainRef) { return this.s.dom(ref).active; }
  domainIsPersistent(ref: DomainRef) { return this.s.dom(ref).persistent; }
  domainGetSecurityLabel(ref: DomainRef): SecurityLabel {
    return this.s.dom(ref).active ? { label: 'libvirt-test', enforcing: true } : { label: '', enforcing: false };
  }
  domainGetHostname(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainGetHostname');
    const d = this.s.dom(ref);
    if (!d.active) throw notRunning();
    return `${d.name}host`;
  }
  domainGetTime(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainGetTime');
    if (!this.s.dom(ref).active) throw notRunningHere();
    return { seconds: stats.TEST_GUEST_TIME, nseconds: 0 };
  }

  domainGetMaxMemory(ref: DomainRef) { return this.s.dom(ref).def.memory; }
  domainSetMaxMemory(ref: DomainRef, memory: number) { setDomainMemory(this.s.dom(ref), memory, DomainMemoryModFlags.MAXIMUM); }
  domainSetMemory(ref: DomainRef, memory: number, flags: number) { setDomainMemory(this.s.dom(ref), memory, flags); }

  domainGetMaxVcpus(ref: DomainRef) { return getDomainVcpus(this.s.dom(ref), DomainVcpuFlags.LIVE | DomainVcpuFlags.MAXIMUM); }
  domainSetVcpus(ref: DomainRef, n: number, flags: number) { setDomainVcpus(this.s.dom(ref), n, flags); }
  domainGetVcpusFlags(ref: DomainRef, flags: number) { return getDomainVcpus(this.s.dom(ref), flags); }
  domainGetVcpus(ref: DomainRef) { return domainVcpuInfo(this.s.dom(ref), this.s.hostCpus, stats.cpuTimeNs()); }
  domainPinVcpu(ref: DomainRef, vcpu: number, cpus: number[], flags: number) { pinDomainVcpu(this.s.dom(ref), vcpu, cpus, flags, this.s.hostCpus); }
  domainGetVcpuPinInfo(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetVcpuPinInfo');
    return vcpuPins(this.s.dom(ref), this.s.hostCpus);
  }
  domainGetEmulatorPinInfo(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetEmulatorPinInfo');
    this.s.dom(ref);
    return Array.from({ length: this.s.hostCpus }, (_, i) => i);
  }

  domainAttachDevice(ref: DomainRef, xml: string, flags: number) { attachDomainDevice(this.s.dom(ref), xml, flags); }
  domainDetachDevice(ref: DomainRef, xml: string, flags: number) { detachDomainDevice(this.s.dom(ref), xml, flags); }

  domainBlockStats(ref: DomainRef, disk: string) { return stats.blockStats(this.s.dom(ref), disk); }
  domainInterfaceStats(ref: DomainRef, device: string) { return stats.interfaceStats(this.s.dom(ref), device); }
  domainMemoryStats(ref: DomainRef, flags: number) { return stats.memoryStats(this.s.dom(ref), flags); }
  domainGetBlockInfo(ref: DomainRef, disk: string, flags: number) { return stats.blockInfo(this.s.dom(ref), disk, flags); }
  domainGetControlInfo(ref: DomainRef, flags: number) { return stats.controlInfo(this.s.dom(ref), flags); }
  domainGetSchedulerType(ref: DomainRef) { this.s.dom(ref); return stats.schedulerType(); }
  domainGetSchedulerParameters(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetSchedulerParametersFlags');
    this.s.dom(ref);
    return stats.schedulerParameters();
  }
  domainSetSchedulerParameters(ref: DomainRef, params: TypedParams, flags: number) {
    this.s.dom(ref);
    stats.checkSchedulerParameters(params, flags);
  }
  domainGetMemoryParameters(ref: DomainRef, flags: number) { return tunables.memoryParameters(this.s.dom(ref), flags); }
  domainGetNumaParameters(ref: DomainRef, flags: number) { return tunables.numaParameters(this.s.dom(ref), flags); }
  domainGetInterfaceParameters(ref: DomainRef, device: string, flags: number) { return tunables.interfaceParameters(this.s.dom(ref), device, flags); }
  domainGetDiskErrors(ref: DomainRef, flags: number) { return tunables.diskErrors(this.s.dom(ref), flags); }
  domainGetMetadata(ref: DomainRef, type: number, uri: string | undefined, flags: number) { return getDomainMetadata(this.s.dom(ref), type, uri, flags); }
  domainSetMetadata(ref: DomainRef, type: number, metadata: string | undefined, key: string | undefined, uri: string | undefined, flags: number) {
    const d = this.s.dom(ref);
    setDomainMetadata(d, type, metadata, key, uri, flags);
    this.s.events.raise({ kind: 'metadataChange', domain: d.ref(), type: type as DomainMetadataType, nsuri: uri });
  }

  domainSnapshotCreateXML(ref: DomainRef, xml: string, flags: number) { return snapshots.createSnapshot(this.s, ref, xml, flags); }
  domainListAllSnapshots(ref: DomainRef, flags: number) { return snapshots.listSnapshots(this.s, ref, flags); }
  domainSnapshotLookupByName(ref: DomainRef, name: string, flags: number) { return snapshots.lookupSnapshot(this.s, ref, name, flags); }
  domainHasCurrentSnapshot(ref: DomainRef, flags: number) { return snapshots.hasCurrentSnapshot(this.s, ref, flags); }
  domainSnapshotCurrent(ref: DomainRef, flags: number) { return snapshots.currentSnapshot(this.s, ref, flags); }
  domainSnapshotGetXMLDesc(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotXml(this.s, ref, flags); }
  domainSnapshotGetParent(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotParent(this.s, ref, flags); }
  domainSnapshotListAllChildren(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotChildren(this.s, ref, flags); }
  domainSnapshotIsCurrent(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotIsCurrent(this.s, ref, flags); }
  domainSnapshotHasMetadata(ref: DomainSnapshotRef, flags: number) { return snapshots.snapshotHasMetadata(this.s, ref, flags); }
  domainSnapshotDelete(ref: DomainSnapshotRef, flags: number) { snapshots.deleteSnapshot(this.s, ref, flags); }
  domainSnapshotRevert(ref: DomainSnapshotRef, flags: number) { snapshots.revertToSnapshot(this.s, ref, flags); }

  connectDomainEventRegister(sink: DomainEventSink, filter?: DomainEventFilterData): number {
    const id = this.s.events.register(sink, filter);
    this.#listeners.add(id);
    return id;
  }
  /** An id this connection did not register is unknown to it, as in libvirt. */
  connectDomainEventDeregister(id: number): void {
    if (!this.#listeners.has(id)) throw noEventCallback(id);
    this.s.events.deregister(id);
    this.#listeners.delete(id);
  }

  // Networks, storage, host interfaces and devices: each kind lives in its own store.
  connectListAllNetworks(flags: number): NetworkRef[] { return this.s.networks.list(flags).map(networkRef); }
  connectLookupNetworkByName(name: string): NetworkRef { return networkRef(this.s.networks.byName(name)); }
  connectLookupNetworkByUUID(uuid: string): NetworkRef { return networkRef(this.s.networks.byUuid(uuid)); }
  connectDefineNetworkXML(xml: string): NetworkRef { return networkRef(this.s.networks.define(xml)); }
  connectCreateNetworkXML(xml: string): NetworkRef { return networkRef(this.s.networks.create(xml)); }
  networkCreate(ref: NetworkRef): void { this.s.networks.start(ref); }
  networkDestroy(ref: NetworkRef): void { this.s.networks.destroy(ref); }
  networkUndefine(ref: NetworkRef): void { this.s.networks.undefine(ref); }
  networkGetXMLDesc(ref: NetworkRef, flags: number): string { return this.s.networks.xml(ref, flags); }
  networkGetBridgeName(ref: NetworkRef): string { return this.s.networks.bridgeName(ref); }
  networkGetAutostart(ref: NetworkRef): boolean { return this.s.networks.get(ref).autostart; }
  networkSetAutostart(ref: NetworkRef, autostart: boolean): void { this.s.networks.setAutostart(ref, autostart); }
  networkIsActive(ref: NetworkRef): boolean { return this.s.networks.get(ref).active; }
  networkIsPersistent(ref: NetworkRef): boolean { return this.s.networks.get(ref).persistent; }

  connectListAllStoragePools(flags: number): StoragePoolRef[] { return this.s.storage.listPools(flags).map(poolRef); }
  connectLookupStoragePoolByName(name: string): StoragePoolRef { return poolRef(this.s.storage.poolByName(name)); }
  connectLookupStoragePoolByUUID(uuid: string): StoragePoolRef { return poolRef(this.s.storage.poolByUuid(uuid)); }
  connectDefineStoragePoolXML(xml: string, flags: number): StoragePoolRef { return poolRef(this.s.storage.definePool(xml, flags)); }
  connectCreateStoragePoolXML(xml: string, flags: number): StoragePoolRef { return poolRef(this.s.storage.createPool(xml, flags)); }
  connectLookupStorageVolByKey(key: string): StorageVolRef { return volRef(this.s.storage.volByKey(key)); }
  connectLookupStorageVolByPath(path: string): StorageVolRef { return volRef(this.s.storage.volByPath(path)); }
  storagePoolCreate(ref: StoragePoolRef, flags: number): void { this.s.storage.startPool(ref, flags); }
  storagePoolDestroy(ref: StoragePoolRef): void { this.s.storage.destroyPool(ref); }
  storagePoolUndefine(ref: StoragePoolRef): void { this.s.storage.undefinePool(ref); }
  storagePoolRefresh(ref: StoragePoolRef, flags: number): void { this.s.storage.refreshPool(ref, flags); }
  storagePoolGetInfo(ref: StoragePoolRef): StoragePoolInfo { return this.s.storage.poolInfo(ref); }
  storagePoolGetXMLDesc(ref: StoragePoolRef, flags: number): string { return this.s.storage.poolXml(ref, flags); }
  storagePoolGetAutostart(ref: StoragePoolRef): boolean { return this.s.storage.pool(ref).autostart; }
  storagePoolSetAutostart(ref: StoragePoolRef, autostart: boolean): void { this.s.storage.setPoolAutostart(ref, autostart); }
  storagePoolIsActive(ref: StoragePoolRef): boolean { return this.s.storage.pool(ref).active; }
  storagePoolIsPersistent(ref: StoragePoolRef): boolean { return this.s.storage.pool(ref).persistent; }
  storagePoolListAllVolumes(ref: StoragePoolRef, flags: number): StorageVolRef[] { return this.s.storage.listVolumes(ref, flags).map(volRef); }
  storagePoolLookupVolumeByName(ref: StoragePoolRef, name: string): StorageVolRef { return volRef(this.s.storage.volByName(ref, name)); }
  storagePoolCreateVolumeXML(ref: StoragePoolRef, xml: string, flags: number): StorageVolRef { return volRef(this.s.storage.createVolume(ref, xml, flags)); }
  storageVolGetInfo(ref: StorageVolRef): StorageVolInfo { return this.s.storage.volInfo(ref); }
  storageVolGetXMLDesc(ref: StorageVolRef, flags: number): string { return this.s.storage.volXml(ref, flags); }
  storageVolDelete(ref: StorageVolRef, flags: number): void { this.s.storage.deleteVolume(ref, flags); }

  connectListAllInterfaces(flags: number): InterfaceRef[] { return this.s.interfaces.list(flags).map(interfaceRef); }
  connectLookupInterfaceByName(name: string): InterfaceRef { return interfaceRef(this.s.interfaces.lookupName(name)); }
  connectLookupInterfaceByMAC(mac: string): InterfaceRef { return interfaceRef(this.s.interfaces.lookupMac(mac)); }
  interfaceGetXMLDesc(ref: InterfaceRef, flags: number): string { return this.s.interfaces.xml(ref, flags); }
  interfaceIsActive(ref: InterfaceRef): boolean { return this.s.interfaces.get(ref).active; }
  connectDefineInterfaceXML(xml: string, flags: number): InterfaceRef { return interfaceRef(this.s.interfaces.define(xml, flags)); }
  interfaceUndefine(ref: InterfaceRef): void { this.s.interfaces.undefine(ref); }
  interfaceCreate(ref: InterfaceRef, flags: number): void { this.s.interfaces.create(ref, flags); }
  interfaceDestroy(ref: InterfaceRef, flags: number): void { this.s.interfaces.destroy(ref, flags); }
  connectInterfaceChangeBegin(flags: number): void { this.s.interfaces.changeBegin(flags); }
  connectInterfaceChangeCommit(flags: number): void { this.s.interfaces.changeCommit(flags); }
  connectInterfaceChangeRollback(flags: number): void { this.s.interfaces.changeRollback(flags); }

  connectListAllNodeDevices(flags: number): NodeDeviceRef[] { return this.s.nodeDevices.list(flags).map(nodeDeviceRef); }
  connectLookupNodeDeviceByName(name: string): NodeDeviceRef { return nodeDeviceRef(this.s.nodeDevices.lookup(name)); }
  nodeDeviceGetXMLDesc(ref: NodeDeviceRef, flags: number): string { return this.s.nodeDevices.xml(ref, flags); }
  nodeDeviceGetParent(ref: NodeDeviceRef): string { return this.s.nodeDevices.parent(ref); }

  // Secrets: libvirt's secret driver (core's), which libvirt's test driver leaves to the daemon.
  connectListAllSecrets(flags: number): SecretRef[] { return this.s.secrets.list(flags); }
  connectLookupSecretByUUID(uuid: string): SecretRef { return this.s.secrets.lookupByUuid(uuid); }
  connectLookupSecretByUsage(usageType: SecretUsageType, usageID: string): SecretRef { return this.s.secrets.lookupByUsage(usageType, usageID); }
  connectDefineSecretXML(xml: string, flags: number): Promise<SecretRef> { return this.s.secrets.define(xml, flags); }
  secretGetXMLDesc(ref: SecretRef, flags: number): string { return this.s.secrets.xml(ref, flags); }
  secretSetValue(ref: SecretRef, value: Uint8Array, flags: number): Promise<void> { return this.s.secrets.setValue(ref, value, flags); }
  secretGetValue(ref: SecretRef, flags: number): Uint8Array { return this.s.secrets.getValue(ref, flags); }
  secretUndefine(ref: SecretRef): Promise<void> { return this.s.secrets.undefine(ref); }
}
