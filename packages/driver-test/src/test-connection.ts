import { hostname } from 'node:os';
import {
  ConnectListAllDomainsFlags as L, DomainCreateFlags, DomainDestroyFlags, DomainRunningReason, DomainShutoffReason, DomainState,
  DomainSnapshotXMLFlags, DomainXMLFlags, ErrorDomain, ErrorNumber, VirError, applyDomainDefaults, formatCapabilitiesXml, formatDomainXml, parseDomainXml,
  DomainEventType as Ev, DomainEventDefinedDetailType as Defined, DomainEventStartedDetailType as Started,
  DomainEventStoppedDetailType as Stopped, DomainEventUndefinedDetailType as Undefined, DomainEventSuspendedDetailType as Suspended, DomainEventResumedDetailType as Resumed,
  DomainSaveRestoreFlags as SaveFlags, DomainMemoryModFlags, DomainVcpuFlags, DomainModificationImpact as Impact, DomainMessageType,
  type Capabilities, type ConnectDriver, type DomainDef, type DomainEventSink, type DomainInfo, type DomainRef, type DomainStateInfo, type NodeInfo,
  type SecurityLabel, type SecurityModel, type TypedParams, type DomainSnapshotRef, type DomainStatsRecord,
  DomainStatsTypes as StatsTypes, ConnectGetAllDomainStatsFlags as StatsFlags,
  DomainSnapshotCreateFlags as SnapCreate, DomainSnapshotDeleteFlags as SnapDelete, DomainSnapshotRevertFlags as Revert, DomainPausedReason,
} from '@tsvirt/core';
import { attachDomainDevice, detachDomainDevice } from './domain-devices.js';
import { DomainEventSinks } from './domain-events.js';
import { setDomainMemory } from './domain-memory.js';
import { getDomainMetadata, setDomainMetadata } from './domain-metadata.js';
import { readSaveImage, writeSaveImage } from './domain-save-image.js';
import * as stats from './domain-stats.js';
import * as tunables from './domain-tunables.js';
import { TEST_MAX_VCPUS, domainVcpuInfo, getDomainVcpus, pinDomainVcpu, setDomainVcpus, vcpuPins } from './domain-vcpus.js';
import { TEST_CPU_MAP, TEST_CPU_STATS, TEST_SYSINFO_XML, cellsFreeMemory } from './host-resources.js';
import { parseSnapshotXml, type TestSnapshot } from './test-snapshots.js';
import { DomainTable } from './domain-table.js';
import { checkDomainTaints } from './domain-taints.js';
import { testVideoModel } from './domain-video.js';
import { TestDomain } from './test-domain.js';
import { TestInterfaces } from './test-interfaces.js';
import { TestNetworks } from './test-networks.js';
import { TestNodeDevices } from './test-node-devices.js';
import { TestStorage } from './test-storage.js';
import type {
  HostInterfaceDef, InterfaceRef, NetworkDef, NetworkRef, NodeDeviceDef, NodeDeviceRef, StoragePoolDef, StoragePoolInfo, StoragePoolRef,
  StorageVolDef, StorageVolInfo, StorageVolRef,
} from '@tsvirt/core';
import { checkFlags, internal, invalidOperation, notRunning } from './test-errors.js';

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

/** The detail of the STARTED event for each reason a domain runs. */
const STARTED_DETAIL: Record<number, number> = {
  [DomainRunningReason.BOOTED]: Started.BOOTED, [DomainRunningReason.RESTORED]: Started.RESTORED,
  [DomainRunningReason.FROM_SNAPSHOT]: Started.FROM_SNAPSHOT,
};

/**
 * A connection to the mock hypervisor. All state lives here, as in libvirt: each
 * open of test:///default starts from the same default objects.
 */
export class TestConnection implements ConnectDriver {
  private readonly domains = new DomainTable();
  private readonly events = new DomainEventSinks();
  private nextId = 1;

  private readonly networks: TestNetworks;
  private readonly storage: TestStorage;
  private readonly interfaces: TestInterfaces;
  private readonly nodeDevices: TestNodeDevices;

  constructor(private readonly uri: string, private readonly node: TestNode) {
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
  private fillDefaults(def: DomainDef): DomainDef {
    def.os.arch ??= this.node.capabilities.host.arch;
    applyDomainDefaults(def, { videoModel: testVideoModel });
    let n = 0;
    for (const dev of def.devices) if (dev.kind === 'interface') dev.targetDev ??= `testnet${n++}`;
    return def;
  }

  private dom(ref: DomainRef): TestDomain {
    return ref instanceof TestDomain ? ref : this.domains.byUuidOrFail(ref.uuid);
  }

  private start(d: TestDomain, reason: number = DomainRunningReason.BOOTED, flags = 0): void {
    d.setRunning(this.nextId++, reason);
    this.domains.reindexId(d, -1);
    this.events.lifecycle(d, Ev.STARTED, STARTED_DETAIL[reason] ?? Started.BOOTED);
    // START_PAUSED: tsvirt's addition, which libvirt's test driver refuses (DIFFERENCES.md)
    if (flags & DomainCreateFlags.START_PAUSED) {
      d.setPaused();
      this.events.lifecycle(d, Ev.SUSPENDED, Suspended.PAUSED);
    }
  }

  private stop(d: TestDomain, reason: number, detail: number): void {
    const old = d.id;
    d.setShutoff(reason);
    this.events.lifecycle(d, Ev.STOPPED, detail);
    if (!d.persistent) this.domains.remove(d, old);
    else this.domains.reindexId(d, old);
  }

  connectGetType() { return 'TEST'; }
  connectGetVersion() { return 2; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.uri; }
  connectGetCapabilities() { return formatCapabilitiesXml(this.node.capabilities); }
  connectGetMaxVcpus() { return TEST_MAX_VCPUS; }
  connectGetNodeInfo(): NodeInfo { return { ...this.node.nodeInfo }; }
  connectGetSecurityModel(): SecurityModel { return { model: 'testSecurity', doi: '' }; }
  connectIsAlive() { return true; }

  connectListAllDomains(flags: number): DomainRef[] {
    const out: DomainRef[] = [];
    const has = (f: number) => (flags & f) !== 0;
    for (const d of this.domains.all()) {
      if (has(L.ACTIVE | L.INACTIVE) && !(has(L.ACTIVE) && d.active) && !(has(L.INACTIVE) && !d.active)) continue;
      if (has(L.PERSISTENT | L.TRANSIENT) && !(has(L.PERSISTENT) && d.persistent) && !(has(L.TRANSIENT) && !d.persistent)) continue;
      if (has(L.RUNNING | L.PAUSED | L.SHUTOFF | L.OTHER)) {
        const s = d.state;
        const other = s !== DomainState.RUNNING && s !== DomainState.PAUSED && s !== DomainState.SHUTOFF;
        if (!(has(L.RUNNING) && s === DomainState.RUNNING) && !(has(L.PAUSED) && s === DomainState.PAUSED)
          && !(has(L.SHUTOFF) && s === DomainState.SHUTOFF) && !(has(L.OTHER) && other)) continue;
      }
      if (has(L.MANAGEDSAVE | L.NO_MANAGEDSAVE) && !(has(L.MANAGEDSAVE) && d.managedSave) && !(has(L.NO_MANAGEDSAVE) && !d.managedSave)) continue;
      if (has(L.AUTOSTART | L.NO_AUTOSTART) && !(has(L.AUTOSTART) && d.autostart) && !(has(L.NO_AUTOSTART) && !d.autostart)) continue;
      if (has(L.HAS_SNAPSHOT) && !has(L.NO_SNAPSHOT)) continue;
      if (has(L.HAS_CHECKPOINT) && !has(L.NO_CHECKPOINT)) continue;
      out.push(d);
    }
    return out;
  }

  connectLookupDomainByName(name: string): DomainRef { return this.domains.byNameOrFail(name); }
  connectLookupDomainByUUID(uuid: string): DomainRef { return this.domains.byUuidOrFail(uuid); }
  connectLookupDomainByID(id: number): DomainRef { return this.domains.byIdOrFail(id); }

  /** Check a new definition against the existing domains, as libvirt's domain list does. */
  private existingFor(def: DomainDef): TestDomain | undefined {
    const byUuid = this.domains.findUuid(def.uuid);
    if (byUuid && byUuid.name !== def.name) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, `domain '${byUuid.name}' is already defined with uuid ${def.uuid}`);
    }
    const byName = this.domains.findName(def.name);
    if (byName && byName.uuid !== def.uuid) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, `domain '${def.name}' already exists with uuid ${byName.uuid}`);
    }
    return byName;
  }

  connectDefineDomainXML(xml: string, flags: number): DomainRef {
    checkFlags(flags, 1, 'testDomainDefineXMLFlags');
    const def = this.fillDefaults(parseDomainXml(xml));
    const existing = this.existingFor(def);
    if (!existing) {
      const d = new TestDomain(def, true);
      this.domains.add(d);
      this.events.lifecycle(d, Ev.DEFINED, Defined.ADDED);
      return d;
    }
    existing.persistent = true;
    if (existing.active) existing.newDef = def;
    else existing.def = def;
    this.events.lifecycle(existing, Ev.DEFINED, Defined.UPDATED);
    return existing;
  }

  connectCreateDomainXML(xml: string, flags: number): DomainRef {
    checkFlags(flags, DomainCreateFlags.START_VALIDATE | DomainCreateFlags.START_PAUSED, 'testDomainCreateXML');
    const def = this.fillDefaults(parseDomainXml(xml));
    const existing = this.existingFor(def);
    if (existing?.active) throw invalidOperation(`domain '${def.name}' is already active`);
    const d = existing ?? new TestDomain(def, false);
    if (existing) {
      existing.newDef = existing.def;
      existing.def = def;
    } else {
      this.domains.add(d);
    }
    this.start(d, DomainRunningReason.BOOTED, flags);
    return d;
  }

  domainCreate(ref: DomainRef, flags: number): void {
    checkFlags(flags, DomainCreateFlags.START_PAUSED, 'testDomainCreateWithFlags');
    const d = this.dom(ref);
    if (d.active) throw invalidOperation(`Domain '${d.name}' is already running`);
    // as libvirt's test driver: a managed save image is dropped and the domain boots afresh
    d.managedSave = false;
    this.start(d, DomainRunningReason.BOOTED, flags);
  }

  domainUndefine(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0x7f, 'testDomainUndefineFlags');
    const d = this.dom(ref);
    if (!d.persistent) throw invalidOperation('cannot undefine transient domain');
    d.managedSave = false;
    if (d.active) {
      d.persistent = false;
      d.newDef = null;
    } else {
      this.domains.remove(d);
    }
    this.events.lifecycle(d, Ev.UNDEFINED, Undefined.REMOVED);
  }

  domainShutdown(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0, 'testDomainShutdownFlags');
    const d = this.dom(ref);
    if (!d.active) throw internal(`domain '${d.name}' not running`);
    this.stop(d, DomainShutoffReason.SHUTDOWN, Stopped.SHUTDOWN);
  }

  domainReboot(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0x1f, 'testDomainReboot');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.def.onReboot === 'destroy') this.stop(d, DomainShutoffReason.SHUTDOWN, Stopped.SHUTDOWN);
    else { d.state = DomainState.RUNNING; d.reason = DomainRunningReason.BOOTED; }
  }

  domainReset(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0, 'testDomainReset');
    if (!this.dom(ref).active) throw notRunning();
  }

  domainDestroy(ref: DomainRef, flags: number): void {
    checkFlags(flags, DomainDestroyFlags.GRACEFUL, 'testDomainDestroyFlags');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    this.stop(d, DomainShutoffReason.DESTROYED, Stopped.DESTROYED);
  }

  domainSuspend(ref: DomainRef): void {
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.state !== DomainState.RUNNING) throw internal(`domain '${d.name}' not running`);
    d.setPaused();
    this.events.lifecycle(d, Ev.SUSPENDED, Suspended.PAUSED);
  }

  domainResume(ref: DomainRef): void {
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.state !== DomainState.PAUSED) throw internal(`domain '${d.name}' not paused`);
    d.setRunning(d.id, DomainRunningReason.UNPAUSED);
    this.events.lifecycle(d, Ev.RESUMED, Resumed.UNPAUSED);
  }

  /** CPU time is the wall clock, as in libvirt's test driver. */
  domainGetInfo(ref: DomainRef): DomainInfo {
    const d = this.dom(ref);
    const def = d.def;
    return { state: d.state as DomainInfo['state'], maxMem: def.memory, memory: def.currentMemory, nrVirtCpu: def.vcpu.current ?? def.vcpu.max, cpuTime: Date.now() * 1e6 };
  }

  domainGetState(ref: DomainRef, flags: number): DomainStateInfo {
    checkFlags(flags, 0, 'testDomainGetState');
    const d = this.dom(ref);
    return { state: d.state as DomainStateInfo['state'], reason: d.reason };
  }

  domainGetXMLDesc(ref: DomainRef, flags: number): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.MIGRATABLE, 'testDomainGetXMLDesc');
    const d = this.dom(ref);
    const secure = (flags & DomainXMLFlags.SECURE) !== 0;
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.persistentDef, { inactive: true, secure });
    return formatDomainXml(d.def, { id: d.active ? d.id : undefined, secure });
  }

  domainGetOSType() { return 'linux'; }
  domainGetMessages(ref: DomainRef, flags: number) {
    checkFlags(flags, DomainMessageType.DEPRECATION | DomainMessageType.TAINTING, 'testDomainGetMessages');
    return this.dom(ref).messages.list(flags);
  }
  domainIsActive(ref: DomainRef) { return this.dom(ref).active; }
  domainIsPersistent(ref: DomainRef) { return this.dom(ref).persistent; }
  domainGetAutostart(ref: DomainRef) { return this.dom(ref).autostart; }

  domainSetAutostart(ref: DomainRef, autostart: boolean): void {
    const d = this.dom(ref);
    if (!d.persistent) throw invalidOperation('cannot set autostart for transient domain');
    d.autostart = autostart;
  }

  domainHasManagedSaveImage(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainHasManagedSaveImage');
    return this.dom(ref).managedSave;
  }

  domainGetSecurityLabel(ref: DomainRef): SecurityLabel {
    return this.dom(ref).active ? { label: 'libvirt-test', enforcing: true } : { label: '', enforcing: false };
  }

  connectDomainEventRegister(sink: DomainEventSink) { return this.events.register(sink); }
  connectDomainEventDeregister(id: number) { this.events.deregister(id); }

  domainManagedSave(ref: DomainRef, flags: number): void {
    checkFlags(flags, SaveFlags.BYPASS_CACHE | SaveFlags.RUNNING | SaveFlags.PAUSED, 'testDomainManagedSave');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (!d.persistent) throw invalidOperation('cannot do managed save for transient domain');
    this.stop(d, DomainShutoffReason.SAVED, Stopped.SAVED);
    d.managedSave = true;
  }

  domainManagedSaveRemove(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0, 'testDomainManagedSaveRemove');
    this.dom(ref).managedSave = false;
  }

  domainSave(ref: DomainRef, to: string, dxml: string | undefined, flags: number): void {
    checkFlags(flags, SaveFlags.BYPASS_CACHE | SaveFlags.RUNNING | SaveFlags.PAUSED, 'testDomainSaveFlags');
    if (dxml !== undefined) throw VirError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, ErrorDomain.TEST, 'xml modification unsupported');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    writeSaveImage(to, d.name, formatDomainXml(d.def, { inactive: true, secure: true }));
    this.stop(d, DomainShutoffReason.SAVED, Stopped.SAVED);
  }

  connectRestoreDomain(from: string, dxml: string | undefined, flags: number): void {
    checkFlags(flags, SaveFlags.BYPASS_CACHE | SaveFlags.RUNNING | SaveFlags.PAUSED, 'testDomainRestoreFlags');
    if (dxml !== undefined) throw VirError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, ErrorDomain.TEST, 'xml modification unsupported');
    const def = this.fillDefaults(parseDomainXml(readSaveImage(from)));
    const existing = this.existingFor(def);
    if (existing?.active) throw invalidOperation(`domain '${def.name}' is already active`);
    const d = existing ?? new TestDomain(def, false);
    if (existing) existing.def = def;
    else this.domains.add(d);
    this.start(d, DomainRunningReason.RESTORED, flags & SaveFlags.PAUSED ? DomainCreateFlags.START_PAUSED : 0);
  }

  domainGetMaxMemory(ref: DomainRef) { return this.dom(ref).def.memory; }
  domainSetMaxMemory(ref: DomainRef, memory: number) { setDomainMemory(this.dom(ref), memory, DomainMemoryModFlags.MAXIMUM); }
  domainSetMemory(ref: DomainRef, memory: number, flags: number) { setDomainMemory(this.dom(ref), memory, flags); }

  domainGetMaxVcpus(ref: DomainRef) { return getDomainVcpus(this.dom(ref), DomainVcpuFlags.LIVE | DomainVcpuFlags.MAXIMUM); }
  domainSetVcpus(ref: DomainRef, n: number, flags: number) { setDomainVcpus(this.dom(ref), n, flags); }
  domainGetVcpusFlags(ref: DomainRef, flags: number) { return getDomainVcpus(this.dom(ref), flags); }
  domainGetVcpus(ref: DomainRef) { return domainVcpuInfo(this.dom(ref), this.hostCpus(), stats.cpuTimeNs()); }
  domainPinVcpu(ref: DomainRef, vcpu: number, cpus: number[], flags: number) { pinDomainVcpu(this.dom(ref), vcpu, cpus, flags, this.hostCpus()); }
  domainGetVcpuPinInfo(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetVcpuPinInfo');
    return vcpuPins(this.dom(ref), this.hostCpus());
  }

  /** The host's CPU count: every NUMA cell's sockets, cores and threads. */
  private hostCpus(): number {
    const n = this.node.nodeInfo;
    return n.nodes * n.sockets * n.cores * n.threads;
  }

  domainAttachDevice(ref: DomainRef, xml: string, flags: number) { attachDomainDevice(this.dom(ref), xml, flags); }
  domainDetachDevice(ref: DomainRef, xml: string, flags: number) { detachDomainDevice(this.dom(ref), xml, flags); }

  domainBlockStats(ref: DomainRef, disk: string) { return stats.blockStats(this.dom(ref), disk); }
  domainInterfaceStats(ref: DomainRef, device: string) { return stats.interfaceStats(this.dom(ref), device); }
  domainMemoryStats(ref: DomainRef, flags: number) { return stats.memoryStats(this.dom(ref), flags); }
  domainGetBlockInfo(ref: DomainRef, disk: string, flags: number) { return stats.blockInfo(this.dom(ref), disk, flags); }
  domainGetControlInfo(ref: DomainRef, flags: number) { return stats.controlInfo(this.dom(ref), flags); }
  domainGetSchedulerType(ref: DomainRef) { this.dom(ref); return stats.schedulerType(); }
  domainGetSchedulerParameters(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetSchedulerParametersFlags');
    this.dom(ref);
    return stats.schedulerParameters();
  }
  domainSetSchedulerParameters(ref: DomainRef, params: TypedParams, flags: number) {
    this.dom(ref);
    stats.checkSchedulerParameters(params, flags);
  }

  domainGetMetadata(ref: DomainRef, type: number, uri: string | undefined, flags: number) { return getDomainMetadata(this.dom(ref), type, uri, flags); }
  domainSetMetadata(ref: DomainRef, type: number, metadata: string | undefined, key: string | undefined, uri: string | undefined, flags: number) {
    setDomainMetadata(this.dom(ref), type, metadata, key, uri, flags);
  }

  connectGetSysinfo(flags: number) {
    checkFlags(flags, 0, 'testConnectGetSysinfo');
    return TEST_SYSINFO_XML;
  }
  connectGetCellsFreeMemory(startCell: number, maxCells: number) { return cellsFreeMemory(this.node.capabilities, startCell, maxCells); }
  connectGetFreeMemory() { return cellsFreeMemory(this.node.capabilities, 0, this.node.capabilities.host.cells.length).reduce((a, b) => a + b, 0); }

  // Networks, storage, host interfaces and devices: each kind lives in its own store.
  connectListAllNetworks(flags: number): NetworkRef[] { return this.networks.list(flags); }
  connectLookupNetworkByName(name: string): NetworkRef { return this.networks.byName(name); }
  connectLookupNetworkByUUID(uuid: string): NetworkRef { return this.networks.byUuid(uuid); }
  connectDefineNetworkXML(xml: string): NetworkRef { return this.networks.define(xml); }
  connectCreateNetworkXML(xml: string): NetworkRef { return this.networks.create(xml); }
  networkCreate(ref: NetworkRef): void { this.networks.start(ref); }
  networkDestroy(ref: NetworkRef): void { this.networks.destroy(ref); }
  networkUndefine(ref: NetworkRef): void { this.networks.undefine(ref); }
  networkGetXMLDesc(ref: NetworkRef, flags: number): string { return this.networks.xml(ref, flags); }
  networkGetBridgeName(ref: NetworkRef): string { return this.networks.bridgeName(ref); }
  networkGetAutostart(ref: NetworkRef): boolean { return this.networks.get(ref).autostart; }
  networkSetAutostart(ref: NetworkRef, autostart: boolean): void { this.networks.setAutostart(ref, autostart); }
  networkIsActive(ref: NetworkRef): boolean { return this.networks.get(ref).active; }
  networkIsPersistent(ref: NetworkRef): boolean { return this.networks.get(ref).persistent; }

  connectListAllStoragePools(flags: number): StoragePoolRef[] { return this.storage.listPools(flags); }
  connectLookupStoragePoolByName(name: string): StoragePoolRef { return this.storage.poolByName(name); }
  connectLookupStoragePoolByUUID(uuid: string): StoragePoolRef { return this.storage.poolByUuid(uuid); }
  connectDefineStoragePoolXML(xml: string, flags: number): StoragePoolRef { return this.storage.definePool(xml, flags); }
  connectCreateStoragePoolXML(xml: string, flags: number): StoragePoolRef { return this.storage.createPool(xml, flags); }
  connectLookupStorageVolByKey(key: string): StorageVolRef { return this.storage.volByKey(key); }
  connectLookupStorageVolByPath(path: string): StorageVolRef { return this.storage.volByPath(path); }
  storagePoolCreate(ref: StoragePoolRef, flags: number): void { this.storage.startPool(ref, flags); }
  storagePoolDestroy(ref: StoragePoolRef): void { this.storage.destroyPool(ref); }
  storagePoolUndefine(ref: StoragePoolRef): void { this.storage.undefinePool(ref); }
  storagePoolRefresh(ref: StoragePoolRef, flags: number): void { this.storage.refreshPool(ref, flags); }
  storagePoolGetInfo(ref: StoragePoolRef): StoragePoolInfo { return this.storage.poolInfo(ref); }
  storagePoolGetXMLDesc(ref: StoragePoolRef, flags: number): string { return this.storage.poolXml(ref, flags); }
  storagePoolGetAutostart(ref: StoragePoolRef): boolean { return this.storage.pool(ref).autostart; }
  storagePoolSetAutostart(ref: StoragePoolRef, autostart: boolean): void { this.storage.setPoolAutostart(ref, autostart); }
  storagePoolIsActive(ref: StoragePoolRef): boolean { return this.storage.pool(ref).active; }
  storagePoolIsPersistent(ref: StoragePoolRef): boolean { return this.storage.pool(ref).persistent; }
  storagePoolListAllVolumes(ref: StoragePoolRef, flags: number): StorageVolRef[] { return this.storage.listVolumes(ref, flags); }
  storagePoolLookupVolumeByName(ref: StoragePoolRef, name: string): StorageVolRef { return this.storage.volByName(ref, name); }
  storagePoolCreateVolumeXML(ref: StoragePoolRef, xml: string, flags: number): StorageVolRef { return this.storage.createVolume(ref, xml, flags); }
  storageVolGetInfo(ref: StorageVolRef): StorageVolInfo { return this.storage.volInfo(ref); }
  storageVolGetXMLDesc(ref: StorageVolRef, flags: number): string { return this.storage.volXml(ref, flags); }
  storageVolDelete(ref: StorageVolRef, flags: number): void { this.storage.deleteVolume(ref, flags); }

  connectListAllInterfaces(flags: number): InterfaceRef[] { return this.interfaces.list(flags); }
  connectLookupInterfaceByName(name: string): InterfaceRef { return this.interfaces.lookupName(name); }
  connectLookupInterfaceByMAC(mac: string): InterfaceRef { return this.interfaces.lookupMac(mac); }
  interfaceGetXMLDesc(ref: InterfaceRef, flags: number): string { return this.interfaces.xml(ref, flags); }
  interfaceIsActive(ref: InterfaceRef): boolean { return this.interfaces.get(ref).active; }

  connectListAllNodeDevices(flags: number): NodeDeviceRef[] { return this.nodeDevices.list(flags); }
  connectLookupNodeDeviceByName(name: string): NodeDeviceRef { return this.nodeDevices.lookup(name); }
  nodeDeviceGetXMLDesc(ref: NodeDeviceRef, flags: number): string { return this.nodeDevices.xml(ref, flags); }
  nodeDeviceGetParent(ref: NodeDeviceRef): string { return this.nodeDevices.parent(ref); }

  connectGetCPUMap(flags: number) {
    checkFlags(flags, 0, 'testNodeGetCPUMap');
    return { cpus: TEST_CPU_MAP.cpus, online: [...TEST_CPU_MAP.online] };
  }

  connectGetCPUStats(cpuNum: number, flags: number): TypedParams {
    checkFlags(flags, 0, 'testNodeGetCPUStats');
    if (cpuNum !== -1 && (cpuNum < 0 || cpuNum >= this.hostCpus())) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, `Invalid cpuNum in testNodeGetCPUStats`);
    }
    return { ...TEST_CPU_STATS };
  }

  domainRename(ref: DomainRef, newName: string, flags: number): void {
    checkFlags(flags, 0, 'testDomainRename');
    const d = this.dom(ref);
    if (d.active) throw invalidOperation('cannot rename active domain');
    if (!d.persistent) throw invalidOperation('cannot rename a transient domain');
    if (d.snapshotCount > 0) throw invalidOperation('cannot rename domain with snapshots');
    if (this.domains.findName(newName)) throw invalidOperation(`domain with name '${newName}' already exists`);
    this.events.lifecycle(d, Ev.UNDEFINED, Undefined.RENAMED);
    this.domains.remove(d);
    d.def.name = newName;
    this.domains.add(d);
    this.events.lifecycle(d, Ev.DEFINED, Defined.RENAMED);
  }

  domainGetHostname(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainGetHostname');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    return `${d.name}host`;
  }

  domainGetEmulatorPinInfo(ref: DomainRef, flags: number) {
    checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainGetEmulatorPinInfo');
    this.dom(ref);
    return Array.from({ length: this.hostCpus() }, (_, i) => i);
  }

  domainGetTime(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainGetTime');
    if (!this.dom(ref).active) throw notRunning();
    return { seconds: stats.TEST_GUEST_TIME, nseconds: 0 };
  }

  domainGetMemoryParameters(ref: DomainRef, flags: number) { return tunables.memoryParameters(this.dom(ref), flags); }
  domainGetNumaParameters(ref: DomainRef, flags: number) { return tunables.numaParameters(this.dom(ref), flags); }
  domainGetInterfaceParameters(ref: DomainRef, device: string, flags: number) { return tunables.interfaceParameters(this.dom(ref), device, flags); }
  domainGetDiskErrors(ref: DomainRef, flags: number) { return tunables.diskErrors(this.dom(ref), flags); }

  /** Statistics of the listed domains; the mock has the state group only, as libvirt's test driver. */
  connectGetAllDomainStats(stats: number, flags: number): DomainStatsRecord[] {
    const filters = L.ACTIVE | L.INACTIVE | L.PERSISTENT | L.TRANSIENT | L.RUNNING | L.PAUSED | L.SHUTOFF | L.OTHER;
    checkFlags(flags, filters | StatsFlags.NOWAIT | StatsFlags.BACKING | StatsFlags.ENFORCE_STATS, 'testConnectGetAllDomainStats');
    const unknown = stats & ~StatsTypes.STATE;
    if (unknown && flags & StatsFlags.ENFORCE_STATS) {
      throw VirError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, ErrorDomain.TEST, `Stats types bits 0x${unknown.toString(16)} are not supported by this daemon`);
    }
    const wantState = stats === 0 || (stats & StatsTypes.STATE) !== 0;
    return this.connectListAllDomains(flags & filters).map((ref) => {
      const d = this.dom(ref);
      const params: TypedParams = wantState ? { 'state.state': d.state, 'state.reason': d.reason } : {};
      return { domain: d.uuid, params };
    });
  }

  /** The snapshot a reference names: its domain by name, then the snapshot. */
  private snap(ref: DomainSnapshotRef): TestSnapshot {
    return this.domains.byNameOrFail(ref.domain).snapshots.get(ref.name);
  }

  domainSnapshotCreateXML(ref: DomainRef, xml: string, flags: number): DomainSnapshotRef {
    checkFlags(flags, SnapCreate.HALT | SnapCreate.VALIDATE, 'testDomainSnapshotCreateXML');
    const d = this.dom(ref);
    const { name, description } = parseSnapshotXml(xml);
    const snap = d.snapshots.add(name ?? String(Math.floor(Date.now() / 1000)), description, d.state, d.def);
    if (flags & SnapCreate.HALT && d.active) this.stop(d, DomainShutoffReason.FROM_SNAPSHOT, Stopped.FROM_SNAPSHOT);
    return snap;
  }

  domainListAllSnapshots(ref: DomainRef, flags: number) { return this.dom(ref).snapshots.list(flags); }
  domainSnapshotLookupByName(ref: DomainRef, name: string, flags: number) {
    checkFlags(flags, 0, 'testDomainSnapshotLookupByName');
    return this.dom(ref).snapshots.get(name);
  }
  domainHasCurrentSnapshot(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainHasCurrentSnapshot');
    return this.dom(ref).snapshots.current !== null;
  }
  domainSnapshotCurrent(ref: DomainRef, flags: number) {
    checkFlags(flags, 0, 'testDomainSnapshotCurrent');
    return this.dom(ref).snapshots.currentOrFail();
  }
  domainSnapshotGetXMLDesc(ref: DomainSnapshotRef, flags: number) {
    checkFlags(flags, DomainSnapshotXMLFlags.SECURE, 'testDomainSnapshotGetXMLDesc');
    return this.snap(ref).toXml((flags & DomainSnapshotXMLFlags.SECURE) !== 0);
  }
  domainSnapshotGetParent(ref: DomainSnapshotRef, flags: number) {
    checkFlags(flags, 0, 'testDomainSnapshotGetParent');
    const s = this.snap(ref);
    return s.tree.parentOf(s);
  }
  domainSnapshotListAllChildren(ref: DomainSnapshotRef, flags: number) {
    const s = this.snap(ref);
    return s.tree.children(s, flags);
  }
  domainSnapshotIsCurrent(ref: DomainSnapshotRef, flags: number) {
    checkFlags(flags, 0, 'testDomainSnapshotIsCurrent');
    const s = this.snap(ref);
    return s.tree.current === s;
  }
  domainSnapshotHasMetadata(ref: DomainSnapshotRef, flags: number) {
    checkFlags(flags, 0, 'testDomainSnapshotHasMetadata');
    this.snap(ref);
    return true;
  }
  domainSnapshotDelete(ref: DomainSnapshotRef, flags: number) {
    checkFlags(flags, SnapDelete.CHILDREN | SnapDelete.METADATA_ONLY | SnapDelete.CHILDREN_ONLY, 'testDomainSnapshotDelete');
    const s = this.snap(ref);
    s.tree.delete(s, flags);
  }

  /** Bring back the snapshot's definition and state (RUNNING or PAUSED choose the state instead). */
  domainSnapshotRevert(ref: DomainSnapshotRef, flags: number): void {
    checkFlags(flags, Revert.RUNNING | Revert.PAUSED | Revert.FORCE, 'testDomainRevertToSnapshot');
    if ((flags & Revert.RUNNING) && (flags & Revert.PAUSED)) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN_SNAPSHOT,
        "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
    }
    const s = this.snap(ref);
    const d = this.domains.byNameOrFail(ref.domain);
    const target = flags & Revert.PAUSED ? DomainState.PAUSED : flags & Revert.RUNNING ? DomainState.RUNNING : s.state;
    d.def = structuredClone(s.def);
    d.newDef = null;
    if (target === DomainState.RUNNING || target === DomainState.PAUSED) {
      if (!d.active) this.start(d, DomainRunningReason.FROM_SNAPSHOT);
      if (target === DomainState.PAUSED && d.state !== DomainState.PAUSED) {
        d.setPaused(DomainPausedReason.FROM_SNAPSHOT);
        this.events.lifecycle(d, Ev.SUSPENDED, Suspended.FROM_SNAPSHOT);
      } else if (target === DomainState.RUNNING && d.state === DomainState.PAUSED) {
        d.setRunning(d.id, DomainRunningReason.FROM_SNAPSHOT);
        this.events.lifecycle(d, Ev.RESUMED, Resumed.FROM_SNAPSHOT);
      }
    } else if (d.active) {
      this.stop(d, DomainShutoffReason.FROM_SNAPSHOT, Stopped.FROM_SNAPSHOT);
    }
    s.tree.current = s;
  }
}
