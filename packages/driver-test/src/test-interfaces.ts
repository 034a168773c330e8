import { ConnectListAllInterfacesFlags as F, ErrorDomain, ErrorNumber, InterfaceDefineFlags, VirError } from '@tsvirt/core';
import type { InterfaceRef } from '@tsvirt/core/driver';
import { formatInterfaceXml, parseInterfaceXml, type HostInterfaceDef } from '@tsvirt/core/xml';
import { checkFlags } from './test-errors.js';

/** One host interface of a test connection; it is also the InterfaceRef core hands out. */
export class TestInterface implements InterfaceRef {
  constructor(public readonly def: HostInterfaceDef, public active: boolean) {}
  get name(): string { return this.def.name; }
  get mac(): string { return this.def.mac ?? ''; }
}

const notFound = (key: string, value: string) =>
  VirError.of(ErrorNumber.NO_INTERFACE, ErrorDomain.TEST, `no interface with matching ${key} '${value}'`);

const invalid = (info?: string) => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, info);

/** The host interfaces of a test connection, indexed by name and MAC address, with libvirt's change transaction. */
export class TestInterfaces {
  private readonly byName = new Map<string, TestInterface>();
  private readonly byMac = new Map<string, TestInterface>();
  /** the definitions when a transaction began (libvirt's backup list), or null when none runs */
  #backup: HostInterfaceDef[] | null = null;

  constructor(initial: { def: HostInterfaceDef; active: boolean }[]) {
    for (const i of initial) this.#add(new TestInterface(i.def, i.active));
  }

  #add(iface: TestInterface): void {
    this.byName.set(iface.name, iface);
    if (iface.mac) this.byMac.set(iface.mac.toLowerCase(), iface);
  }

  #remove(iface: TestInterface): void {
    this.byName.delete(iface.name);
    if (iface.mac && this.byMac.get(iface.mac.toLowerCase()) === iface) this.byMac.delete(iface.mac.toLowerCase());
  }

  /** Define an interface, or replace the definition of the one with its name (which keeps its state). */
  define(xml: string, flags: number): TestInterface {
    checkFlags(flags, InterfaceDefineFlags.VALIDATE, 'testInterfaceDefineXML');
    const def = parseInterfaceXml(xml);
    const old = this.byName.get(def.name);
    if (old) this.#remove(old);
    const iface = new TestInterface(def, old?.active ?? false);
    this.#add(iface);
    return iface;
  }

  /** Remove an interface's definition, up or not, as libvirt's test driver does. */
  undefine(ref: InterfaceRef): void {
    this.#remove(this.get(ref));
  }

  create(ref: InterfaceRef, flags: number): void {
    checkFlags(flags, 0, 'testInterfaceCreate');
    const iface = this.get(ref);
    if (iface.active) throw invalid();
    iface.active = true;
  }

  destroy(ref: InterfaceRef, flags: number): void {
    checkFlags(flags, 0, 'testInterfaceDestroy');
    const iface = this.get(ref);
    if (!iface.active) throw invalid();
    iface.active = false;
  }

  changeBegin(flags: number): void {
    checkFlags(flags, 0, 'testInterfaceChangeBegin');
    if (this.#backup) throw invalid('there is another transaction running.');
    this.#backup = [...this.byName.values()].map((i) => structuredClone(i.def));
  }

  changeCommit(flags: number): void {
    checkFlags(flags, 0, 'testInterfaceChangeCommit');
    if (!this.#backup) throw invalid('no transaction running, nothing to be committed.');
    this.#backup = null;
  }

  /** The definitions as the transaction found them; as in libvirt's test driver, every one comes back down. */
  changeRollback(flags: number): void {
    checkFlags(flags, 0, 'testInterfaceChangeRollback');
    if (!this.#backup) throw invalid('no transaction running, nothing to rollback.');
    this.byName.clear();
    this.byMac.clear();
    for (const def of this.#backup) this.#add(new TestInterface(def, false));
    this.#backup = null;
  }

  get(ref: InterfaceRef): TestInterface {
    return this.lookupName(ref.name);
  }

  list(flags: number): TestInterface[] {
    checkFlags(flags, F.ACTIVE | F.INACTIVE, 'testConnectListAllInterfaces');
    const both = F.ACTIVE | F.INACTIVE;
    const want = (i: TestInterface) => (flags & both) === 0 || (flags & both) === both || ((flags & F.ACTIVE) !== 0) === i.active;
    return [...this.byName.values()].filter(want);
  }

  lookupName(name: string): TestInterface {
    const i = this.byName.get(name);
    if (!i) throw notFound('name', name);
    return i;
  }

  lookupMac(mac: string): TestInterface {
    const i = this.byMac.get(mac.toLowerCase());
    if (!i) throw notFound('mac', mac);
    return i;
  }

  xml(ref: InterfaceRef, flags: number): string {
    checkFlags(flags, 1, 'testInterfaceGetXMLDesc');
    return formatInterfaceXml(this.get(ref).def);
  }
}
