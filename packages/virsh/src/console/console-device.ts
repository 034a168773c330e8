// Which pseudo-terminal virsh console attaches to, from a running domain's live
// XML, chosen as libvirt's QEMU driver chooses in virDomainOpenConsole: the one
// whose alias is --devname, else the first console, else the first serial port;
// it must be a pty. The errors are that driver's.

import { childElement, ErrorDomain, ErrorNumber, parseDomainXml, VirError, type XmlElement } from '@tsvirt/core';

const CHARACTER_DEVICES = ['console', 'serial', 'parallel', 'channel'];

/** The path of the pty to open, or a VirError naming why there is none. */
export function consolePtyPath(liveXml: string, devname: string | undefined): string {
  const def = parseDomainXml(liveXml);
  const devices = (name: string) => def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === name ? [d.element] : []));
  const isPty = (el: XmlElement | undefined) => el !== undefined && (el.attrs.type ?? 'pty') === 'pty';
  const alias = (el: XmlElement) => childElement(el, 'alias')?.attrs.name;
  let chr: XmlElement | undefined;
  if (devname !== undefined) {
    chr = CHARACTER_DEVICES.flatMap(devices).find((el) => alias(el) === devname);
  } else {
    chr = devices('console')[0] ?? devices('serial')[0];
  }
  const internal = (what: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU, what);
  if (!chr) throw internal(`cannot find character device ${devname ?? '<null>'}`);
  const path = childElement(chr, 'source')?.attrs.path;
  if (!isPty(chr) || path === undefined) throw internal(`character device ${devname ?? alias(chr) ?? '<null>'} is not using a PTY`);
  return path;
}
