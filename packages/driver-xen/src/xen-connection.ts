// A xen:///system connection: the method table. The work is in the feature files
// (lifecycle, persistence, save, devices, memory, vcpus, stats, console, host,
// events), the state they share in driver-state.ts.

import { existsSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import {
  ConnectCloseReason, DomainXMLFlags, ErrorDomain, type ConnectCloseCallback, type DomainBlockStats, type DomainInfo, type DomainInterfaceStats,
  type DomainStateInfo, type NodeInfo,
} from '@tsvirt/core';
import {
  claimAutostart, CloseCallbacks, type ConnectDriver, type DomainEventFilterData, type DomainEventSink, type DomainRef,
} from '@tsvirt/core/driver';
import { formatDomainXml } from '@tsvirt/core/xml';
import { openConsole } from './console.js';
import { changeDevice } from './devices.js';
import { XenDriverState, type XenConnectionOptions } from './driver-state.js';
import { XenstoreWatch } from './events.js';
import { capabilitiesXml, nodeInfo, xenVersion } from './host.js';
import * as lifecycle from './lifecycle.js';
import { setMaxMemory, setMemory } from './memory.js';
import { domainXmlFromNative, domainXmlToNative } from './native-format.js';
import { defineDomain, setAutostart, undefineDomain } from './persistence.js';
import * as save from './save.js';
import { blockStats, domainInfo, domainState, interfaceStats } from './stats.js';
import { getVcpusFlags, setVcpus, XEN_MAX_VCPUS } from './vcpus.js';
import { checkFlags } from './xen-errors.js';

export type { XenConnectionOptions } from './driver-state.js';

export class XenConnection implements ConnectDriver {
  static async open(options: XenConnectionOptions): Promise<XenConnection> {
    const s = new XenDriverState(options, await XenDriverState.probeHost(options.xl));
    const watch = new XenstoreWatch(s);
    if ('info' in s.probe && options.xenstoreSocket && existsSync(options.xenstoreSocket)) await watch.start(options.xenstoreSocket);
    await s.load();
    // the first start after the host's boot (its run folder is new) starts the autostart domains, as libvirt's
    if ('info' in s.probe) {
      await fs.mkdir(options.dirs.runDir, { recursive: true, mode: 0o700 });
      if (await claimAutostart(options.dirs.runDir)) await lifecycle.autostartDomains(s);
    }
    return new XenConnection(s, watch);
  }

  readonly #s: XenDriverState;
  readonly #watch: XenstoreWatch;
  readonly #closeCallbacks = new CloseCallbacks(ErrorDomain.NONE);

  private constructor(state: XenDriverState, watch: XenstoreWatch) {
    this.#s = state;
    this.#watch = watch;
  }

  connectClose(): void {
    this.#s.closed = true;
    this.#watch.stop();
    this.#closeCallbacks.notify(ConnectCloseReason.CLIENT);
  }
  connectRegisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.register(cb); }
  connectUnregisterCloseCallback(cb: ConnectCloseCallback) { this.#closeCallbacks.unregister(cb); }
  connectGetType() { return 'Xen'; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.#s.options.uri; }
  connectIsAlive() { return !this.#s.closed; }
  connectGetVersion(): number { return xenVersion(this.#s); }
  connectGetNodeInfo(): NodeInfo { return nodeInfo(this.#s); }
  connectGetCapabilities(): Promise<string> { return capabilitiesXml(this.#s); }
  connectGetMaxVcpus(): number { return XEN_MAX_VCPUS; }

  // Conversions need no hypervisor: they work on any host.
  connectDomainXMLToNative(nativeFormat: string, domainXml: string, flags: number): string {
    return domainXmlToNative(nativeFormat, domainXml, flags);
  }
  connectDomainXMLFromNative(nativeFormat: string, nativeConfig: string, flags: number): string {
    return domainXmlFromNative(nativeFormat, nativeConfig, flags);
  }

  async connectListAllDomains(flags: number): Promise<DomainRef[]> {
    this.#s.host();
    await this.#s.fresh();
    return this.#s.domains.list(flags).map((d) => d.ref());
  }
  async connectLookupDomainByName(name: string): Promise<DomainRef> { this.#s.host(); await this.#s.fresh(); return this.#s.domains.byName(name).ref(); }
  async connectLookupDomainByUUID(uuid: string): Promise<DomainRef> { this.#s.host(); await this.#s.fresh(); return this.#s.domains.byUuid(uuid).ref(); }
  async connectLookupDomainByID(id: number): Promise<DomainRef> { this.#s.host(); await this.#s.fresh(); return this.#s.domains.byId(id).ref(); }

  connectDefineDomainXML(xml: string, flags: number): Promise<DomainRef> { return defineDomain(this.#s, xml, flags); }
  domainUndefine(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainUndefineFlags', () => undefineDomain(this.#s, ref, flags)); }
  async domainGetAutostart(ref: DomainRef): Promise<boolean> { return (await this.#s.dom(ref)).autostart; }
  domainSetAutostart(ref: DomainRef, autostart: boolean): Promise<void> { return this.#job(ref, 'virDomainSetAutostart', () => setAutostart(this.#s, ref, autostart)); }

  connectCreateDomainXML(xml: string, flags: number): Promise<DomainRef> { return lifecycle.createDomainXML(this.#s, xml, flags); }
  domainCreate(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainCreateWithFlags', () => lifecycle.createDomain(this.#s, ref, flags)); }
  domainDestroy(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainDestroyFlags', () => lifecycle.destroyDomain(this.#s, ref, flags)); }
  domainShutdown(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainShutdownFlags', () => lifecycle.shutdownDomain(this.#s, ref, flags)); }
  domainReboot(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainReboot', () => lifecycle.rebootDomain(this.#s, ref, flags)); }
  domainSuspend(ref: DomainRef): Promise<void> { return this.#job(ref, 'virDomainSuspend', () => lifecycle.suspendDomain(this.#s, ref)); }
  domainResume(ref: DomainRef): Promise<void> { return this.#job(ref, 'virDomainResume', () => lifecycle.resumeDomain(this.#s, ref)); }

  domainSave(ref: DomainRef, to: string, dxml: string | undefined, flags: number): Promise<void> { return this.#job(ref, 'virDomainSaveFlags', () => save.saveDomain(this.#s, ref, to, dxml, flags)); }
  connectRestoreDomain(from: string, dxml: string | undefined, flags: number): Promise<void> { return save.restoreDomain(this.#s, from, dxml, flags); }
  domainManagedSave(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainManagedSave', () => save.managedSave(this.#s, ref, flags)); }
  domainHasManagedSaveImage(ref: DomainRef, flags: number): Promise<boolean> { return save.hasManagedSave(this.#s, ref, flags); }
  domainManagedSaveRemove(ref: DomainRef, flags: number): Promise<void> { return this.#job(ref, 'virDomainManagedSaveRemove', () => save.removeManagedSave(this.#s, ref, flags)); }

  domainGetInfo(ref: DomainRef): Promise<DomainInfo> { return domainInfo(this.#s, ref); }
  domainGetState(ref: DomainRef, flags: number): Promise<DomainStateInfo> { return domainState(this.#s, ref, flags); }
  async domainGetXMLDesc(ref: DomainRef, flags: number): Promise<string> {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.UPDATE_CPU | DomainXMLFlags.MIGRATABLE, 'libxlDomainGetXMLDesc');
    const d = await this.#s.dom(ref);
    const secure = (flags & DomainXMLFlags.SECURE) !== 0;
    if (flags & DomainXMLFlags.INACTIVE) return formatDomainXml(d.persistentDef, { inactive: true, secure });
    return formatDomainXml(d.def, { id: d.active ? d.id : undefined, secure });
  }
  async domainGetOSType(ref: DomainRef): Promise<string> { return (await this.#s.dom(ref)).def.os.type; }
  async domainIsActive(ref: DomainRef): Promise<boolean> { return (await this.#s.dom(ref)).active; }
  async domainIsPersistent(ref: DomainRef): Promise<boolean> { return (await this.#s.dom(ref)).persistent; }
  async domainGetMaxMemory(ref: DomainRef): Promise<number> { return (await this.#s.dom(ref)).def.memory; }
  domainSetMaxMemory(ref: DomainRef, memory: number): Promise<void> { return this.#job(ref, 'virDomainSetMaxMemory', () => setMaxMemory(this.#s, ref, memory)); }
  domainSetMemory(ref: DomainRef, memory: number, flags: number): Promise<void> { return this.#job(ref, 'virDomainSetMemoryFlags', () => setMemory(this.#s, ref, memory, flags)); }
  domainSetVcpus(ref: DomainRef, nvcpus: number, flags: number): Promise<void> { return this.#job(ref, 'virDomainSetVcpusFlags', () => setVcpus(this.#s, ref, nvcpus, flags)); }
  domainGetVcpusFlags(ref: DomainRef, flags: number): Promise<number> { return getVcpusFlags(this.#s, ref, flags); }
  domainBlockStats(ref: DomainRef, disk: string): Promise<DomainBlockStats> { return blockStats(this.#s, ref, disk); }
  domainInterfaceStats(ref: DomainRef, device: string): Promise<DomainInterfaceStats> { return interfaceStats(this.#s, ref, device); }
  domainOpenConsole(ref: DomainRef, devname: string | undefined, flags: number): Promise<Duplex> { return openConsole(this.#s, ref, devname, flags); }
  domainAttachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> { return this.#job(ref, 'virDomainAttachDeviceFlags', () => changeDevice(this.#s, ref, xml, flags, 'attach')); }
  domainDetachDevice(ref: DomainRef, xml: string, flags: number): Promise<void> { return this.#job(ref, 'virDomainDetachDeviceFlags', () => changeDevice(this.#s, ref, xml, flags, 'detach')); }

  /**
   * A state-changing call on one domain, after the ones on it before have finished. The
   * domain is found without asking xl when the table knows it (the call itself asks).
   */
  async #job<T>(ref: DomainRef, api: string, work: () => Promise<T>): Promise<T> {
    let d = this.#s.domains.findUuid(ref.uuid);
    if (!d) {
      await this.#s.fresh();
      d = this.#s.domains.findUuid(ref.uuid);
    }
    // a domain that is not there: the call says so in its own words
    return d ? d.job.run(api, work) : work();
  }

  connectDomainEventRegister(listener: DomainEventSink, filter?: DomainEventFilterData): number { return this.#s.events.register(listener, filter); }
  connectDomainEventDeregister(callbackId: number): void { this.#s.events.deregister(callbackId); }
}
