// Persistence of the mock hypervisor's domains: define, undefine, autostart and rename
// (the definitions live in memory only, as in libvirt's test driver).

import {
  DomainEventDefinedDetailType as Defined, DomainEventType as Ev, DomainEventUndefinedDetailType as Undefined, DomainDefineFlags, ErrorDomain,
} from '@tsvirt/core';
import { defineDomainObject, undefineDomainObject, type DomainRef } from '@tsvirt/core/driver';
import { checkRenamedDomainName, parseDomainXml, validateDomainXml } from '@tsvirt/core/xml';
import type { TestDriverState } from './driver-state.js';
import { TestDomain } from './test-domain.js';
import { checkFlags, invalidOperation } from './test-errors.js';

export function defineDomain(s: TestDriverState, xml: string, flags: number): DomainRef | Promise<DomainRef> {
  checkFlags(flags, DomainDefineFlags.VALIDATE, 'testDomainDefineXMLFlags');
  // validation loads the schema validator: only callers that ask for it wait for it
  if (flags & DomainDefineFlags.VALIDATE) return validateDomainXml(xml).then(() => define(s, xml));
  return define(s, xml);
}

function define(s: TestDriverState, xml: string): DomainRef {
  const def = s.fillDefaults(parseDomainXml(xml));
  s.domains.existingFor(def);
  return defineDomainObject(s.domains, s.events, def, () => new TestDomain(def, true)).ref();
}

export function undefineDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, 0x7f, 'testDomainUndefineFlags');
  const d = s.dom(ref);
  if (!d.persistent) throw invalidOperation('cannot undefine transient domain');
  undefineDomainObject(s.domains, s.events, d);
}

export function setAutostart(s: TestDriverState, ref: DomainRef, autostart: boolean): void {
  const d = s.dom(ref);
  if (!d.persistent) throw invalidOperation('cannot set autostart for transient domain');
  d.autostart = autostart;
}

export function renameDomain(s: TestDriverState, ref: DomainRef, newName: string, flags: number): void {
  checkFlags(flags, 0, 'testDomainRename');
  const d = s.dom(ref);
  if (d.active) throw invalidOperation('cannot rename active domain');
  if (!d.persistent) throw invalidOperation('cannot rename a transient domain');
  if (d.snapshotCount > 0) throw invalidOperation('cannot rename domain with snapshots');
  s.domains.rename(d, newName, (name) => {
    checkRenamedDomainName(name, ErrorDomain.TEST);
    s.events.lifecycle(d.ref(), Ev.UNDEFINED, Undefined.RENAMED);
    d.def.name = name;
  });
  s.events.lifecycle(d.ref(), Ev.DEFINED, Defined.RENAMED);
}
