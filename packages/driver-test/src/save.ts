// Save and restore of the mock hypervisor's domains: a save image holds the definition;
// a managed save is a flag on the domain.

import {
  DomainCreateFlags, DomainEventStoppedDetailType as Stopped, DomainRunningReason, DomainSaveRestoreFlags as SaveFlags,
  DomainShutoffReason, ErrorDomain, ErrorNumber, VirError,
} from '@tsvirt/core';
import { domainAlreadyActive, type DomainRef } from '@tsvirt/core/driver';
import { formatDomainXml, parseDomainXml } from '@tsvirt/core/xml';
import { readSaveImage, writeSaveImage } from './domain-save-image.js';
import type { TestDriverState } from './driver-state.js';
import { startDomain, stopDomain } from './lifecycle.js';
import { TestDomain } from './test-domain.js';
import { checkFlags, invalidOperation, notRunning } from './test-errors.js';

const SAVE_FLAGS = SaveFlags.BYPASS_CACHE | SaveFlags.RUNNING | SaveFlags.PAUSED;
const noXmlChange = () => VirError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, ErrorDomain.TEST, 'xml modification unsupported');

export function managedSaveDomain(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, SAVE_FLAGS, 'testDomainManagedSave');
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  if (!d.persistent) throw invalidOperation('cannot do managed save for transient domain');
  stopDomain(s, d, DomainShutoffReason.SAVED, Stopped.SAVED);
  d.managedSave = true;
  d.updateHandle(ref);
}

export function hasManagedSaveImage(s: TestDriverState, ref: DomainRef, flags: number): boolean {
  checkFlags(flags, 0, 'testDomainHasManagedSaveImage');
  return s.dom(ref).managedSave;
}

export function removeManagedSave(s: TestDriverState, ref: DomainRef, flags: number): void {
  checkFlags(flags, 0, 'testDomainManagedSaveRemove');
  s.dom(ref).managedSave = false;
}

export function saveDomain(s: TestDriverState, ref: DomainRef, to: string, dxml: string | undefined, flags: number): void {
  checkFlags(flags, SAVE_FLAGS, 'testDomainSaveFlags');
  if (dxml !== undefined) throw noXmlChange();
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  writeSaveImage(to, d.name, formatDomainXml(d.def, { inactive: true, secure: true }));
  stopDomain(s, d, DomainShutoffReason.SAVED, Stopped.SAVED);
  d.updateHandle(ref);
}

export function restoreDomain(s: TestDriverState, from: string, dxml: string | undefined, flags: number): void {
  checkFlags(flags, SAVE_FLAGS, 'testDomainRestoreFlags');
  if (dxml !== undefined) throw noXmlChange();
  const def = s.fillDefaults(parseDomainXml(readSaveImage(from)));
  const existing = s.domains.existingFor(def);
  if (existing?.active) throw domainAlreadyActive(def.name);
  const d = existing ?? new TestDomain(def, false);
  if (existing) existing.def = def;
  else s.domains.add(d);
  startDomain(s, d, DomainRunningReason.RESTORED, flags & SaveFlags.PAUSED ? DomainCreateFlags.START_PAUSED : 0);
}
