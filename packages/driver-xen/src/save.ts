// Save and restore through xl (`xl save`, `xl restore`), and managed save. xl's
// image holds libxl's config, not the domain XML: the domain's definition is kept
// beside the image (FILE.xml), so that a restore brings back the same domain.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DomainEventStoppedDetailType as Stopped, DomainShutoffReason, ErrorNumber } from '@tsvirt/core';
import { takeHandleId, writeFileAtomic, type DomainRef } from '@tsvirt/core/driver';
import { formatDomainXml } from '@tsvirt/core/xml';
import type { XenDriverState } from './driver-state.js';
import { runningDom, startGivenDef, startRestored } from './lifecycle.js';
import { managedSavePath, savedDefFile } from './persistence.js';
import { checkFlags, fromXl, xenError } from './xen-errors.js';

/** A path from a caller: absolute, so that it does not depend on the daemon's working folder. */
function checkPath(file: string): string {
  if (!path.isAbsolute(file) || file.includes('\0')) throw xenError(ErrorNumber.INVALID_ARG, `save file '${file.slice(0, 100)}' must be an absolute path`);
  return path.normalize(file);
}

async function saveTo(s: XenDriverState, ref: DomainRef, image: string): Promise<void> {
  const d = await runningDom(s, ref);
  await writeFileAtomic(savedDefFile(image), formatDomainXml(d.def, { inactive: true, secure: true }));
  try {
    await s.xl(['save', String(d.id), image]);
  } catch (e) {
    await fs.rm(savedDefFile(image), { force: true });
    throw fromXl(`save domain '${d.name}'`, e);
  }
  await s.stopped(d, DomainShutoffReason.SAVED, Stopped.SAVED);
  takeHandleId(ref, { id: -1 });
}

export async function saveDomain(s: XenDriverState, ref: DomainRef, to: string, dxml: string | undefined, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainSaveFlags');
  if (dxml !== undefined) throw xenError(ErrorNumber.INVALID_ARG, 'xml modification unsupported');
  await saveTo(s, ref, checkPath(to));
}

export async function restoreDomain(s: XenDriverState, from: string, dxml: string | undefined, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainRestoreFlags');
  if (dxml !== undefined) throw xenError(ErrorNumber.INVALID_ARG, 'xml modification unsupported');
  const image = checkPath(from);
  let xml: string;
  try {
    xml = await fs.readFile(savedDefFile(image), 'utf8');
  } catch {
    throw xenError(ErrorNumber.OPERATION_FAILED, `no domain definition beside the saved image '${image}' (${savedDefFile(image)})`);
  }
  await startGivenDef(s, xml, (d) => startRestored(s, d, image));
  await fs.rm(savedDefFile(image), { force: true });
}

export async function managedSave(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainManagedSave');
  const d = await runningDom(s, ref);
  if (!d.persistent) throw xenError(ErrorNumber.OPERATION_INVALID, 'cannot do managed save for transient domain');
  await fs.mkdir(s.dirs.saveDir, { recursive: true, mode: 0o700 });
  await saveTo(s, ref, managedSavePath(s, d.name));
  d.managedSave = true;
}

export async function hasManagedSave(s: XenDriverState, ref: DomainRef, flags: number): Promise<boolean> {
  checkFlags(flags, 0, 'libxlDomainHasManagedSaveImage');
  const d = await s.dom(ref);
  return fs.access(managedSavePath(s, d.name)).then(() => true, () => false);
}

export async function removeManagedSave(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, 0, 'libxlDomainManagedSaveRemove');
  const d = await s.dom(ref);
  const image = managedSavePath(s, d.name);
  await Promise.all([fs.rm(image, { force: true }), fs.rm(savedDefFile(image), { force: true })]);
  d.managedSave = false;
}
