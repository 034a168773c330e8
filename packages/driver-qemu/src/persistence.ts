// Persistence: define and undefine domains (their configs on disk) and autostart.

import { promises as fs } from 'node:fs';
import { DomainDefineFlags, DomainUndefineFlags, ErrorNumber } from '@tsvirt/core';
import { defineDomainObject, undefineDomainObject, type DomainRef } from '@tsvirt/core/driver';
import { validateDomainXml } from '@tsvirt/core/xml';
import { removeDomainState } from './domain-state-file.js';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, qemuError } from './qemu-errors.js';

export async function defineDomain(s: QemuDriverState, xml: string, flags: number): Promise<DomainRef> {
  checkFlags(flags, DomainDefineFlags.VALIDATE, 'qemuDomainDefineXMLFlags');
  if (flags & DomainDefineFlags.VALIDATE) await validateDomainXml(xml);
  const def = await s.parseDefinition(xml);
  await s.configs.save(def);
  return defineDomainObject(s.domains, s.events, def, () => s.newDomain(def, true)).ref();
}

export async function undefineDomain(s: QemuDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0x7f, 'qemuDomainUndefineFlags');
  const d = s.dom(ref);
  if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot undefine transient domain');
  if (d.managedSave && !(flags & DomainUndefineFlags.MANAGED_SAVE)) {
    throw qemuError(ErrorNumber.OPERATION_INVALID, 'Refusing to undefine while domain managed save image exists');
  }
  const snapshots = (d.snapshots ??= await s.snapshotStore.load(() => d.name)).size;
  if (snapshots && !d.active && !(flags & DomainUndefineFlags.SNAPSHOTS_METADATA)) {
    throw qemuError(ErrorNumber.OPERATION_INVALID, `cannot delete inactive domain with ${snapshots} snapshots`);
  }
  await Promise.all([s.configs.remove(d.name), fs.rm(s.managedSavePath(d), { force: true }), snapshots ? s.snapshotStore.removeAll(d.name) : undefined]);
  d.snapshots = undefined;
  if (!d.active) await removeDomainState(s.dirs.runDir, d.name);
  undefineDomainObject(s.domains, s.events, d);
}

export async function setAutostart(s: QemuDriverState, ref: DomainRef, autostart: boolean): Promise<void> {
  const d = s.dom(ref);
  if (!d.persistent) throw qemuError(ErrorNumber.OPERATION_INVALID, 'cannot set autostart for transient domain');
  await s.configs.setAutostart(d.name, autostart);
  d.autostart = autostart;
}
