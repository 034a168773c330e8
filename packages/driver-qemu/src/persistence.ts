// Persistence: define and undefine domains (their configs on disk) and autostart.

import { promises as fs } from 'node:fs';
import {
  DomainEventDefinedDetailType as Defined, DomainEventType as Ev, DomainEventUndefinedDetailType as Undefined, DomainUndefineFlags,
  ErrorNumber, type DomainRef,
} from '@tsvirt/core';
import { removeDomainState } from './domain-state-file.js';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, qemuError } from './qemu-errors.js';

export async function defineDomain(s: QemuDriverState, xml: string, flags: number): Promise<DomainRef> {
  checkFlags(flags, 1, 'qemuDomainDefineXMLFlags');
  const def = s.parseDefinition(xml);
  const existing = s.domains.findUuid(def.uuid);
  await s.configs.save(def);
  if (!existing) {
    const d = s.newDomain(def, true);
    s.domains.add(d);
    s.events.lifecycle(d.ref(), Ev.DEFINED, Defined.ADDED);
    return d.ref();
  }
  existing.persistent = true;
  if (existing.active) existing.newDef = def;
  else existing.def = def;
  s.events.lifecycle(existing.ref(), Ev.DEFINED, Defined.UPDATED);
  return existing.ref();
}

export async function undefineDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0x7f, 'qemuDomainUndefineFlags');
  const d = s.dom(ref);
  if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot undefine transient domain');
  if (d.managedSave && !(flags & DomainUndefineFlags.MANAGED_SAVE)) {
    throw qemuError(ErrorNumber.OPERATION_INVALID, 'Refusing to undefine while domain managed save image exists');
  }
  await Promise.all([s.configs.remove(d.name), fs.rm(s.managedSavePath(d), { force: true })]);
  d.autostart = false;
  d.managedSave = false;
  if (d.active) {
    d.persistent = false;
    d.newDef = null;
  } else {
    s.domains.remove(d);
    await removeDomainState(s.dirs.runDir, d.name);
  }
  s.events.lifecycle(d.ref(), Ev.UNDEFINED, Undefined.REMOVED);
}

export async function setAutostart(s: QemuDriverState, ref: DomainRef, autostart: boolean): Promise<void> {
  const d = s.dom(ref);
  if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot set autostart for transient domain');
  await s.configs.setAutostart(d.name, autostart);
  d.autostart = autostart;
}
