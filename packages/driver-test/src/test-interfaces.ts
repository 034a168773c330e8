import { ConnectListAllInterfacesFlags as F, ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { InterfaceRef } from '@tsvirt/core/driver';
import { formatInterfaceXml, type HostInterfaceDef } from '@tsvirt/core/xml';
import { checkFlags } from './test-errors.js';

/** One host interface of a test connection; it is also the InterfaceRef core hands out. */
export class TestInterface implements InterfaceRef {
  constructor(public readonly def: HostInterfaceDef, public active: boolean) {}
  get name(): string { return this.def.name; }
  get mac(): string { return this.def.mac ?? ''; }
}

const notFound = (key: string, value: string) =>
  VirError.of(ErrorNumber.NO_INTERFACE, ErrorDomain.TEST, `no interface with matching ${key} '${value}'`);

/** The host interfaces of a test connection, indexed by name and MAC address. */
export class TestInterfaces {
  private readonly byName = new Map<string, TestInterface>();
  private readonly byMac = new Map<string, TestInterface>();

  constructor(initial: { def: HostInterfaceDef; active: boolean }[]) {
    for (const i of initial) {
      const iface = new TestInterface(i.def, i.active);
      this.byName.set(iface.name, iface);
      if (iface.mac) this.byMac.set(iface.mac.toLowerCase(), iface);
    }
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
