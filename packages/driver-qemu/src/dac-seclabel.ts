// libvirt's DAC security model for one domain: which uid:gid its QEMU runs as,
// whether the files it uses are chowned to it, and which files those are. From
// <seclabel model='dac'> (domain-wide, and per disk inside <source>) over the
// driver's qemu.conf settings; the live definition shows the outcome as libvirt does.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { childElement, childElements, element, textOf, type DiskDef, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import { findGroup, findUser, hasUserEntry } from './system-user.js';

export interface DacLabel {
  uid: number;
  gid: number;
}

/** The driver's DAC settings (qemu:///system as root only). */
export interface QemuSecurity {
  /** qemu.conf's user and group */
  label: DacLabel;
  /** whether the user database has that user, so that its supplementary groups apply */
  initGroups: boolean;
  /** qemu.conf's dynamic_ownership */
  dynamicOwnership: boolean;
}

export interface DomainDac {
  /** what QEMU runs as */
  process: DacLabel;
  /** chown the domain's files to `image` while it runs */
  relabel: boolean;
  image: DacLabel;
  initGroups: boolean;
}

/** A file the domain's QEMU opens by name, and the owner it needs. */
export interface LabelledFile {
  path: string;
  label: DacLabel;
  /** a chardev's output file: created (empty, 0600) when missing, since QEMU would create it */
  create?: boolean;
}

export const formatDacLabel = (l: DacLabel): string => `+${l.uid}:+${l.gid}`;

const xmlError = (message: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, message);

/** A DAC seclabel applies to this driver when it names model 'dac', or no model. */
const isDac = (el: XmlElement) => el.name === 'seclabel' && (el.attrs.model ?? 'dac') === 'dac';

/** "+UID:+GID" or "user:group", as in <label> and qemu.conf. */
export async function parseDacLabel(text: string): Promise<DacLabel> {
  const [user, group, ...rest] = text.trim().split(':');
  const bad = () => VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.SECURITY, `Failed to parse user and group from '${text}'`);
  if (!user || !group || rest.length) throw bad();
  const [uid, gid] = await Promise.all([findUser(user), findGroup(group)]);
  if (uid === undefined || gid === undefined) throw bad();
  return { uid: uid.uid, gid };
}

/** libvirt's checks of a definition's DAC <seclabel> when it is parsed. */
export function checkSeclabel(def: DomainDef): void {
  const seclabel = def.extra.find(isDac);
  if (!seclabel) return;
  const { type = 'dynamic', relabel } = seclabel.attrs;
  if (!['dynamic', 'static', 'none'].includes(type)) throw xmlError(`invalid security type '${type}'`);
  if (relabel !== undefined && relabel !== 'yes' && relabel !== 'no') throw xmlError(`invalid security relabel value '${relabel}'`);
  if (type === 'dynamic' && relabel === 'no') throw xmlError('dynamic label type must use resource relabeling');
  if (type === 'static' && !childElement(seclabel, 'label')) throw xmlError('security label is missing');
}

/** The DAC label of a domain about to start, from its <seclabel> and the driver's settings. */
export async function domainDac(def: DomainDef, security: QemuSecurity): Promise<DomainDac> {
  checkSeclabel(def);
  const seclabel = def.extra.find(isDac);
  const type = seclabel?.attrs.type ?? 'dynamic';
  const defaults = { process: security.label, image: security.label, initGroups: security.initGroups };
  switch (type) {
    case 'dynamic':
      return { ...defaults, relabel: security.dynamicOwnership };
    case 'none':
      return { ...defaults, relabel: false };
    default: {
      const label = await parseDacLabel(textOf(childElement(seclabel!, 'label')!));
      return {
        process: label, image: label, relabel: seclabel!.attrs.relabel === 'yes' && security.dynamicOwnership,
        // A uid the user database knows gets that user's supplementary groups, as libvirt gives them.
        initGroups: await hasUserEntry(label.uid),
      };
    }
  }
}

/**
 * Put the DAC label in the live definition as libvirt shows it: a dynamic one
 * with the uid:gid it resolved to, a static one as given.
 */
export function showLiveSeclabel(def: DomainDef, dac: DomainDac): void {
  const given = def.extra.find(isDac);
  const type = given?.attrs.type ?? 'dynamic';
  if (given && type !== 'dynamic') {
    given.attrs = { type, model: 'dac', ...(type === 'static' ? { relabel: given.attrs.relabel ?? 'no' } : {}) };
    return;
  }
  const live = element('seclabel', { type: 'dynamic', model: 'dac', relabel: 'yes' }, [
    element('label', {}, [formatDacLabel(dac.process)]),
    element('imagelabel', {}, [formatDacLabel(dac.image)]),
  ]);
  if (given) def.extra[def.extra.indexOf(given)] = live;
  else def.extra.push(live);
}

/** A disk's own DAC seclabel: relabel='no' leaves it alone, a <label> gives it another owner. */
async function diskLabel(disk: DiskDef, image: DacLabel): Promise<DacLabel | undefined> {
  const source = disk.element && childElement(disk.element, 'source');
  const own = source && childElements(source).find(isDac);
  if (!own) return image;
  if (own.attrs.relabel === 'no') return undefined;
  const label = childElement(own, 'label');
  return label ? parseDacLabel(textOf(label)) : image;
}

/** The files a domain's QEMU opens by name: disk images, kernel and initrd, chardev files and sockets it connects to. */
export async function filesToLabel(def: DomainDef, dac: DomainDac): Promise<LabelledFile[]> {
  if (!dac.relabel) return [];
  const files: LabelledFile[] = [];
  for (const dev of def.devices) {
    if (dev.kind !== 'disk') continue;
    const file = diskFile(dev);
    if (file === undefined) continue;
    const label = await diskLabel(dev, dac.image);
    if (label) files.push({ path: file, label });
  }
  for (const file of [def.os.kernel, def.os.initrd]) if (file) files.push({ path: file, label: dac.image });
  for (const dev of def.devices) {
    if (dev.kind !== 'other' || !['serial', 'console', 'channel', 'parallel'].includes(dev.element.name)) continue;
    const source = childElement(dev.element, 'source')?.attrs;
    if (!source?.path) continue;
    if (dev.element.attrs.type === 'file') files.push({ path: source.path, label: dac.image, create: true });
    else if (dev.element.attrs.type === 'unix' && source.mode === 'connect') files.push({ path: source.path, label: dac.image });
  }
  return files;
}

/** The labelled files of one disk (for hot-plug): none when relabelling is off or the disk says so. */
export async function diskFilesToLabel(disk: DiskDef, dac: DomainDac | undefined): Promise<LabelledFile[]> {
  const file = diskFile(disk);
  if (!dac?.relabel || file === undefined) return [];
  const label = await diskLabel(disk, dac.image);
  return label ? [{ path: file, label }] : [];
}

function diskFile(disk: DiskDef): string | undefined {
  return disk.type === 'file' ? disk.source?.file : disk.type === 'block' ? disk.source?.dev : undefined;
}
