// Persistence: define and undefine domains (their definitions in the config folder,
// which Xen's own toolstack does not keep) and autostart.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DomainDefineFlags, DomainUndefineFlags, ErrorDomain } from '@tsvirt/core';
import { checkDomainName, defineDomainObject, undefineDomainObject, type DomainRef } from '@tsvirt/core/driver';
import { validateDomainXml, type DomainDef } from '@tsvirt/core/xml';
import type { XenDriverState } from './driver-state.js';
import { parseXenDomainXml } from './native-format.js';
import { XenDomain } from './xen-domain.js';
import { checkFlags, operationInvalid } from './xen-errors.js';

/** A definition as every entry point must check it, before it touches a path or a command line. */
export function parseDefinition(s: XenDriverState, xml: string): DomainDef {
  const def = parseXenDomainXml(xml);
  checkDomainName(def.name, ErrorDomain.LIBXL);
  s.domains.existingFor(def);
  return def;
}

export const managedSavePath = (s: XenDriverState, name: string) => path.join(s.dirs.saveDir, `${name}.save`);

/** The domain definition kept beside a saved image: xl's image holds libxl's config, not the domain XML. */
export const savedDefFile = (image: string) => `${image}.xml`;

export async function defineDomain(s: XenDriverState, xml: string, flags: number): Promise<DomainRef> {
  checkFlags(flags, DomainDefineFlags.VALIDATE, 'libxlDomainDefineXMLFlags');
  if (flags & DomainDefineFlags.VALIDATE) await validateDomainXml(xml);
  s.host();
  await s.fresh();
  const def = parseDefinition(s, xml);
  await s.configs.save(def);
  return defineDomainObject(s.domains, s.events, def, () => new XenDomain(def, true)).ref();
}

export async function undefineDomain(s: XenDriverState, ref: DomainRef, flags: number): Promise<void> {
  checkFlags(flags, DomainUndefineFlags.MANAGED_SAVE, 'libxlDomainUndefineFlags');
  const d = await s.dom(ref);
  if (!d.persistent) throw operationInvalid('cannot undefine transient domain');
  const image = managedSavePath(s, d.name);
  const hasImage = await fs.access(image).then(() => true, () => false);
  if (hasImage && !(flags & DomainUndefineFlags.MANAGED_SAVE)) throw operationInvalid('Refusing to undefine while domain managed save image exists');
  await Promise.all([s.configs.remove(d.name), fs.rm(image, { force: true }), fs.rm(savedDefFile(image), { force: true })]);
  undefineDomainObject(s.domains, s.events, d);
}

export async function setAutostart(s: XenDriverState, ref: DomainRef, autostart: boolean): Promise<void> {
  const d = await s.dom(ref);
  if (!d.persistent) throw operationInvalid('cannot set autostart for transient domain');
  await s.configs.setAutostart(d.name, autostart);
  d.autostart = autostart;
}
