import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { NamedObjectTable, objectMatchesListFlags, type NetworkRef } from '@tsvirt/core/driver';
import { fillNetworkDefaults, formatNetworkXml, parseNetworkXml, type NetworkDef } from '@tsvirt/core/xml';
import { checkFlags, invalidOperation } from './test-errors.js';

/** One virtual network of a test connection; it is also the NetworkRef core hands out. */
export class TestNetwork implements NetworkRef {
  autostart = false;
  /** the persistent definition to take effect at the next start, when it differs from the live one */
  newDef: NetworkDef | null = null;

  constructor(public def: NetworkDef, public active: boolean, public persistent: boolean) {}

  get name(): string { return this.def.name; }
  get uuid(): string { return this.def.uuid; }
}

/** The virtual networks of a test connection, with libvirt's test-driver semantics. */
export class TestNetworks {
  private readonly table = new NamedObjectTable<TestNetwork>({ kind: 'network', noun: 'network', notFoundCode: ErrorNumber.NO_NETWORK, domain: ErrorDomain.TEST });

  constructor(initial: { def: NetworkDef; active: boolean }[]) {
    for (const n of initial) this.table.add(new TestNetwork(fillNetworkDefaults(n.def), n.active, true));
  }

  get(ref: NetworkRef): TestNetwork {
    return this.table.byUuidOrFail(ref.uuid);
  }

  list(flags: number): TestNetwork[] {
    checkFlags(flags, 0x3f, 'testConnectListAllNetworks');
    return [...this.table.all()].filter((n) => objectMatchesListFlags(flags, n));
  }

  byName(name: string): TestNetwork { return this.table.byNameOrFail(name); }
  byUuid(uuid: string): TestNetwork { return this.table.byUuidOrFail(uuid); }

  define(xml: string): TestNetwork {
    const def = fillNetworkDefaults(parseNetworkXml(xml));
    const existing = this.table.existingFor(def.name, def.uuid);
    if (!existing) {
      const n = new TestNetwork(def, false, true);
      this.table.add(n);
      return n;
    }
    existing.persistent = true;
    if (existing.active) existing.newDef = def;
    else existing.def = def;
    return existing;
  }

  create(xml: string): TestNetwork {
    const def = fillNetworkDefaults(parseNetworkXml(xml));
    const existing = this.table.existingFor(def.name, def.uuid);
    if (existing?.active) throw invalidOperation(`network '${def.name}' is already active`);
    if (existing) {
      existing.newDef = existing.def;
      existing.def = def;
      existing.active = true;
      return existing;
    }
    const n = new TestNetwork(def, true, false);
    this.table.add(n);
    return n;
  }

  start(ref: NetworkRef): void {
    const n = this.get(ref);
    if (n.active) throw invalidOperation(`Network '${n.name}' is already running`);
    n.active = true;
  }

  /** Stop a network; libvirt's test driver does not refuse an inactive one. */
  destroy(ref: NetworkRef): void {
    const n = this.get(ref);
    n.active = false;
    if (n.newDef) { n.def = n.newDef; n.newDef = null; }
    if (!n.persistent) this.table.remove(n);
  }

  undefine(ref: NetworkRef): void {
    const n = this.get(ref);
    if (n.active) throw invalidOperation(`Network '${n.name}' is still running`);
    this.table.remove(n);
  }

  xml(ref: NetworkRef, flags: number): string {
    checkFlags(flags, 0, 'testNetworkGetXMLDesc');
    return formatNetworkXml(this.get(ref).def);
  }

  bridgeName(ref: NetworkRef): string {
    const n = this.get(ref);
    const bridge = n.def.bridge?.name;
    if (!bridge) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, `network '${n.name}' does not have a bridge name.`);
    return bridge;
  }

  setAutostart(ref: NetworkRef, autostart: boolean): void {
    this.get(ref).autostart = autostart;
  }
}
