import { hostname } from 'node:os';
import {
  ConnectListAllDomainsFlags as L, DomainCreateFlags, DomainDestroyFlags, DomainRunningReason, DomainShutoffReason, DomainState,
  DomainXMLFlags, ErrorDomain, ErrorNumber, VirError, formatCapabilitiesXml, formatDomainXml, parseDomainXml,
  type Capabilities, type ConnectDriver, type DomainDef, type DomainInfo, type DomainRef, type DomainStateInfo, type NodeInfo,
  type SecurityLabel, type SecurityModel,
} from '@tsvirt/core';
import { DomainTable } from './domain-table.js';
import { TestDomain } from './test-domain.js';
import { checkFlags, internal, invalidOperation, notRunning } from './test-errors.js';

/** What a test connection starts with: the default node, or a custom node file's objects. */
export interface TestNode {
  nodeInfo: NodeInfo;
  capabilities: Capabilities;
  /** domains with their initial state */
  domains: { def: DomainDef; state: number; persistent: boolean }[];
}

const nowNs = () => Date.now() * 1e6;

/**
 * A connection to the mock hypervisor. All state lives here, as in libvirt: each
 * open of test:///default starts from the same default objects.
 */
export class TestConnection implements ConnectDriver {
  private readonly domains = new DomainTable();
  private nextId = 1;

  constructor(private readonly uri: string, private readonly node: TestNode) {
    for (const d of node.domains) {
      const dom = new TestDomain(this.fillDefaults(d.def), d.persistent);
      if (d.state !== DomainState.SHUTOFF) {
        dom.setRunning(this.nextId++);
        if (d.state === DomainState.PAUSED) dom.setPaused();
      }
      this.domains.add(dom);
    }
  }

  /** The defaults libvirt's test driver fills in: the host's arch, interface target names. */
  private fillDefaults(def: DomainDef): DomainDef {
    def.os.arch ??= this.node.capabilities.host.arch;
    let n = 0;
    for (const dev of def.devices) if (dev.kind === 'interface') dev.targetDev ??= `testnet${n++}`;
    return def;
  }

  private dom(ref: DomainRef): TestDomain {
    return ref instanceof TestDomain ? ref : this.domains.byUuidOrFail(ref.uuid);
  }

  private start(d: TestDomain, reason: number = DomainRunningReason.BOOTED): void {
    d.setRunning(this.nextId++, reason);
    this.domains.reindexId(d, -1);
  }

  private stop(d: TestDomain, reason: number): void {
    const old = d.id;
    d.setShutoff(reason);
    if (!d.persistent) this.domains.remove(d, old);
    else this.domains.reindexId(d, old);
  }

  connectGetType() { return 'TEST'; }
  connectGetVersion() { return 2; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.uri; }
  connectGetCapabilities() { return formatCapabilitiesXml(this.node.capabilities); }
  connectGetMaxVcpus() { return 32; }
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
      return d;
    }
    existing.persistent = true;
    if (existing.active) existing.newDef = def;
    else existing.def = def;
    return existing;
  }

  connectCreateDomainXML(xml: string, flags: number): DomainRef {
    checkFlags(flags, DomainCreateFlags.START_VALIDATE, 'testDomainCreateXML');
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
    this.start(d);
    return d;
  }

  domainCreate(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0, 'testDomainCreateWithFlags');
    const d = this.dom(ref);
    if (d.active) throw invalidOperation(`Domain '${d.name}' is already running`);
    const restored = d.managedSave;
    d.managedSave = false;
    this.start(d, restored ? DomainRunningReason.RESTORED : DomainRunningReason.BOOTED);
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
  }

  domainShutdown(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0, 'testDomainShutdownFlags');
    const d = this.dom(ref);
    if (!d.active) throw internal(`domain '${d.name}' not running`);
    this.stop(d, DomainShutoffReason.SHUTDOWN);
  }

  domainReboot(ref: DomainRef, flags: number): void {
    checkFlags(flags, 0x1f, 'testDomainReboot');
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.def.onReboot === 'destroy') this.stop(d, DomainShutoffReason.SHUTDOWN);
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
    this.stop(d, DomainShutoffReason.DESTROYED);
  }

  domainSuspend(ref: DomainRef): void {
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.state !== DomainState.RUNNING) throw internal(`domain '${d.name}' not running`);
    d.setPaused();
  }

  domainResume(ref: DomainRef): void {
    const d = this.dom(ref);
    if (!d.active) throw notRunning();
    if (d.state !== DomainState.PAUSED) throw internal(`domain '${d.name}' not paused`);
    d.setRunning(d.id, DomainRunningReason.UNPAUSED);
  }

  domainGetInfo(ref: DomainRef): DomainInfo {
    const d = this.dom(ref);
    const def = d.def;
    return { state: d.state as DomainInfo['state'], maxMem: def.memory, memory: def.currentMemory, nrVirtCpu: def.vcpu.current ?? def.vcpu.max, cpuTime: nowNs() };
  }

  domainGetState(ref: DomainRef, flags: number): DomainStateInfo {
    checkFlags(flags, 0, 'testDomainGetState');
    const d = this.dom(ref);
    return { state: d.state as DomainStateInfo['state'], reason: d.reason };
  }

  domainGetXMLDesc(ref: DomainRef, flags: number): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.MIGRATABLE, 'testDomainGetXMLDesc');
    const d = this.dom(ref);
    const inactive = (flags & DomainXMLFlags.INACTIVE) !== 0;
    return inactive ? formatDomainXml(d.persistentDef, { inactive: true }) : formatDomainXml(d.def, { id: d.active ? d.id : undefined });
  }

  domainGetOSType() { return 'linux'; }
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
}
