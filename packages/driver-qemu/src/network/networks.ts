// The network driver's virtual networks: definitions kept in <config>/network/<name>.xml
// (with autostart links), the live definition of an active one in <run>/network/, and
// on the host, while active, a bridge, its firewall table and its dnsmasq.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, VirError, type NetworkDHCPLease } from '@tsvirt/core';
import { NamedObjectTable, objectMatchesListFlags, type NetworkRef, writeFileAtomic, XmlConfigStore } from '@tsvirt/core/driver';
import {
  element, fillNetworkDefaults, formatNetworkXml, forwardMode, networkIps, OWNS_BRIDGE, parseNetworkXml, type NetworkDef,
} from '@tsvirt/core/xml';
import { createBridge, deleteBridge, freeLinkName, linkExists } from './bridge-device.js';
import { dnsmasqFiles, needsDnsmasq, readLeases, startDnsmasq, stopDnsmasq } from './dnsmasq.js';
import { addNetworkRules, removeNetworkRules } from './network-firewall.js';
import { checkFlags } from './network-errors.js';

export interface NetworkDirs {
  configDir: string;
  runDir: string;
}

/** One virtual network. */
export class NetworkObj {
  autostart = false;
  /** while active: the persistent definition, for the next start (the live one carries what starting added) */
  newDef: NetworkDef | null = null;

  constructor(public def: NetworkDef, public active: boolean, public persistent: boolean) {}

  get name(): string { return this.def.name; }
  get uuid(): string { return this.def.uuid; }
  ref(): NetworkRef { return { name: this.name, uuid: this.uuid }; }
  /** the bridge its guests' taps join */
  get bridge(): string | undefined { return this.def.bridge?.name; }
}

const networkError = (code: number, info: string) => VirError.of(code, ErrorDomain.NETWORK, info);
const invalidOperation = (info: string) => networkError(ErrorNumber.OPERATION_INVALID, info);
const MODES = new Set(['none', 'nat', 'route', 'bridge']);

function parseNetwork(xml: string | Uint8Array): NetworkDef {
  const def = fillNetworkDefaults(parseNetworkXml(xml));
  if (def.name.startsWith('.')) throw networkError(ErrorNumber.XML_ERROR, `name ${def.name} cannot start with '.'`);
  const mode = forwardMode(def);
  if (!MODES.has(mode)) throw networkError(ErrorNumber.CONFIG_UNSUPPORTED, `unsupported forward mode '${mode}' (nat, route, bridge or none)`);
  if (mode === 'bridge' && !def.bridge?.name) {
    throw networkError(ErrorNumber.XML_ERROR, `network '${def.name}' has forward mode 'bridge' but no bridge device was specified`);
  }
  const bridge = def.bridge?.name;
  // a Linux interface name (IFNAMSIZ), or a pattern with %d; it reaches /sys paths and ip's arguments
  if (bridge !== undefined && !/^[A-Za-z0-9_.:%-]{1,15}$/.test(bridge) || bridge?.includes('..')) {
    throw networkError(ErrorNumber.XML_ERROR, `bridge name '${bridge}' is not a valid interface name`);
  }
  networkIps(def);
  return def;
}

const formatNetwork = (def: NetworkDef) => formatNetworkXml(def);
const macOf = () => `52:54:00:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

export class Networks {
  private readonly table = new NamedObjectTable<NetworkObj>({
    kind: 'network', noun: 'network', notFoundCode: ErrorNumber.NO_NETWORK, domain: ErrorDomain.NETWORK,
  });
  private readonly configs: XmlConfigStore<NetworkDef>;
  private readonly live: XmlConfigStore<NetworkDef>;

  constructor(private readonly dirs: NetworkDirs) {
    this.configs = new XmlConfigStore(dirs.configDir, { kind: 'network', parse: parseNetwork, format: formatNetwork });
    this.live = new XmlConfigStore(dirs.runDir, { kind: 'network', parse: parseNetwork, format: formatNetwork });
  }

  async load(): Promise<void> {
    for (const { def, autostart } of await this.configs.loadAll()) {
      const n = new NetworkObj(def, false, true);
      n.autostart = autostart;
      this.table.add(n);
    }
    // active ones: the live definition, when its bridge is still there
    for (const { def } of await this.live.loadAll()) {
      const n = this.table.findName(def.name) ?? new NetworkObj(def, false, false);
      if (!n.persistent) this.table.add(n);
      if (n.persistent) n.newDef = n.def;
      n.def = def;
      n.active = forwardMode(def) === 'bridge' || (def.bridge?.name !== undefined && linkExists(def.bridge.name));
      if (!n.active && !n.persistent) this.table.remove(n);
    }
  }

  /** The run folder, made if missing. */
  async runDirReady(): Promise<string> {
    await fs.mkdir(this.dirs.runDir, { recursive: true, mode: 0o755 });
    return this.dirs.runDir;
  }

  /** Start the autostart networks that are not active (once per boot); one that fails stays inactive, as in libvirt. */
  async autostart(): Promise<void> {
    for (const n of [...this.table.all()].filter((n) => n.autostart && !n.active)) {
      await this.start(n.ref()).catch((e: Error) => process.stderr.write(`tsvirt: Failed to autostart network '${n.name}': ${e.message}\n`));
    }
  }

  get(ref: NetworkRef): NetworkObj { return this.table.byUuidOrFail(ref.uuid); }
  byName(name: string): NetworkObj { return this.table.byNameOrFail(name); }
  byUuid(uuid: string): NetworkObj { return this.table.byUuidOrFail(uuid); }

  list(flags: number): NetworkObj[] {
    checkFlags(flags, 0x3f, 'networkConnectListAllNetworks');
    return [...this.table.all()].filter((n) => objectMatchesListFlags(flags, n));
  }

  /** libvirt's define-time additions: a bridge name (virbrN) and a MAC for a network with a bridge of its own. */
  private complete(def: NetworkDef): NetworkDef {
    if (!OWNS_BRIDGE.has(forwardMode(def))) return def;
    if (!def.bridge?.name || def.bridge.name.includes('%d')) {
      const taken = new Set([...this.table.all()].filter((n) => n.uuid !== def.uuid).map((n) => n.bridge).filter((b) => b !== undefined));
      const existing = this.table.findName(def.name)?.bridge;
      def.bridge = { ...def.bridge, name: existing ?? freeLinkName(def.bridge?.name ?? 'virbr%d', taken), stp: def.bridge?.stp ?? 'on', delay: def.bridge?.delay ?? '0' };
    }
    def.mac ??= this.table.findName(def.name)?.def.mac ?? macOf();
    return def;
  }

  /** Two networks on one bridge would tear each other down. */
  private checkBridgeFree(def: NetworkDef): void {
    if (forwardMode(def) === 'bridge') return;
    const other = [...this.table.all()].find((n) => n.uuid !== def.uuid && n.bridge === def.bridge?.name && forwardMode(n.def) !== 'bridge');
    if (other) throw networkError(ErrorNumber.OPERATION_FAILED, `bridge name '${def.bridge?.name}' already in use.`);
  }

  async define(xml: string): Promise<NetworkObj> {
    const def = this.complete(parseNetwork(xml));
    const existing = this.table.existingFor(def.name, def.uuid);
    this.checkBridgeFree(def);
    await this.configs.save(def);
    if (existing) {
      existing.persistent = true;
      if (existing.active) existing.newDef = def;
      else existing.def = def;
      return existing;
    }
    const n = new NetworkObj(def, false, true);
    this.table.add(n);
    return n;
  }

  async create(xml: string): Promise<NetworkObj> {
    const def = this.complete(parseNetwork(xml));
    const existing = this.table.existingFor(def.name, def.uuid);
    if (existing?.active) throw invalidOperation(`network '${def.name}' is already active`);
    this.checkBridgeFree(def);
    const n = existing ?? new NetworkObj(def, false, false);
    if (existing) { existing.newDef = existing.def; existing.def = def; }
    await this.startOnHost(n);
    if (!existing) this.table.add(n);
    return n;
  }

  async start(ref: NetworkRef): Promise<void> {
    const n = this.get(ref);
    if (n.active) throw invalidOperation('network is already active');
    await this.startOnHost(n);
  }

  /** The bridge (or the check that a host bridge exists), the firewall table, dnsmasq; undone on failure. */
  private async startOnHost(n: NetworkObj): Promise<void> {
    const mode = forwardMode(n.def);
    const bridge = n.bridge!;
    const live = structuredClone(n.def);
    if (mode === 'bridge') {
      if (!linkExists(bridge)) throw networkError(ErrorNumber.SYSTEM_ERROR, `Cannot get interface MTU on '${bridge}': No such device`);
    } else {
      const ips = networkIps(n.def);
      await createBridge({ name: bridge, mac: n.def.mac, stp: n.def.bridge?.stp !== 'off', delay: Number(n.def.bridge?.delay ?? 0), ips });
      try {
        await addNetworkRules(mode, bridge, ips);
        if (needsDnsmasq(ips)) {
          await fs.mkdir(this.dirs.runDir, { recursive: true, mode: 0o755 });
          await startDnsmasq(n.def, bridge, ips, dnsmasqFiles(this.dirs.runDir, n.name));
        }
      } catch (e) {
        await this.stopOnHost(n);
        throw e;
      }
      // the live XML shows the port range that masquerading uses, as libvirt's does
      if (mode === 'nat' && live.forward && live.forward.children.every((c) => typeof c === 'string')) {
        live.forward = { ...live.forward, attrs: { mode: 'nat', ...live.forward.attrs }, children: [element('nat', {}, [element('port', { start: '1024', end: '65535' })])] };
      }
    }
    if (n.persistent && !n.newDef) n.newDef = n.def;
    n.def = live;
    n.active = true;
    await fs.mkdir(this.dirs.runDir, { recursive: true, mode: 0o755 });
    await writeFileAtomic(path.join(this.dirs.runDir, `${n.name}.xml`), formatNetwork(live));
  }

  private async stopOnHost(n: NetworkObj): Promise<void> {
    if (forwardMode(n.def) === 'bridge') return;
    await stopDnsmasq(dnsmasqFiles(this.dirs.runDir, n.name));
    await removeNetworkRules(n.bridge!);
    await deleteBridge(n.bridge!);
  }

  async destroy(ref: NetworkRef): Promise<void> {
    const n = this.get(ref);
    if (!n.active) throw invalidOperation(`network '${n.name}' is not active`);
    await this.stopOnHost(n);
    n.active = false;
    await fs.rm(path.join(this.dirs.runDir, `${n.name}.xml`), { force: true });
    if (n.newDef) { n.def = n.newDef; n.newDef = null; }
    if (!n.persistent) this.table.remove(n);
  }

  async undefine(ref: NetworkRef): Promise<void> {
    const n = this.get(ref);
    if (!n.persistent) throw invalidOperation("can't undefine transient network");
    await this.configs.remove(n.name);
    n.persistent = false;
    n.autostart = false;
    n.newDef = null;
    if (!n.active) this.table.remove(n);
  }

  xml(ref: NetworkRef, flags: number): string {
    checkFlags(flags, 1 /* VIR_NETWORK_XML_INACTIVE */, 'networkGetXMLDesc');
    const n = this.get(ref);
    return formatNetwork(flags & 1 && n.newDef ? n.newDef : n.def);
  }

  bridgeName(ref: NetworkRef): string {
    const n = this.get(ref);
    if (!n.bridge) throw networkError(ErrorNumber.INTERNAL_ERROR, `network '${n.name}' does not have a bridge name.`);
    return n.bridge;
  }

  async setAutostart(ref: NetworkRef, autostart: boolean): Promise<void> {
    const n = this.get(ref);
    if (!n.persistent) throw invalidOperation('cannot set autostart for transient network');
    await this.configs.setAutostart(n.name, autostart);
    n.autostart = autostart;
  }

  async leases(ref: NetworkRef, mac: string | undefined, flags: number): Promise<NetworkDHCPLease[]> {
    checkFlags(flags, 0, 'networkGetDHCPLeases');
    const n = this.get(ref);
    if (!n.active) return [];
    const ips = networkIps(n.def);
    const prefixOf = (ip: string) => ips.find((i) => (i.family === 'ipv6') === ip.includes(':'))?.prefix ?? 0;
    return readLeases(dnsmasqFiles(this.dirs.runDir, n.name), n.bridge!, prefixOf, mac);
  }

  /** An active network's bridge for a guest's interface; libvirt's words when it is not there. */
  bridgeForGuest(name: string): string {
    const n = this.byName(name);
    if (!n.active) throw invalidOperation(`network '${name}' is not active`);
    return n.bridge!;
  }
}
