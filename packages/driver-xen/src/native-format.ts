// virConnectDomainXMLToNative / FromNative for Xen's configuration formats, as libvirt's
// libxl driver offers them: 'xen-xl' (xl.cfg) and 'xen-xm' (the older xm configs). Pure
// conversions: no hypervisor, no file, so that they work on any host. Unlike libvirt's,
// a converted config keeps its VNC/SPICE passwords: the caller wrote them, and reading a
// config back is not reading a domain's secrets.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { formatDomainXml, parseDomainXml, type DomainDef } from '@tsvirt/core/xml';
import { domainFromXlConfig, domainFromXmConfig } from './formats/domain-from-config.js';
import { domainToXlConfig } from './formats/domain-to-xl.js';
import { domainToXmConfig } from './formats/domain-to-xm.js';
import { applyXenDefaults } from './formats/xen-domain-defaults.js';
import { checkFlags } from './xen-errors.js';

/** libvirt's names of the formats. */
export const XEN_XL_FORMAT = 'xen-xl';
export const XEN_XM_FORMAT = 'xen-xm';

function checkFormat(nativeFormat: string): void {
  if (nativeFormat !== XEN_XL_FORMAT && nativeFormat !== XEN_XM_FORMAT) {
    throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.LIBXL, `unsupported config type ${nativeFormat}`);
  }
}

/** A domain XML document as the Xen driver reads it: parsed, checked, its defaults filled in. */
export function parseXenDomainXml(domainXml: string): DomainDef {
  const def = parseDomainXml(domainXml);
  if (def.type !== 'xen') {
    throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.LIBXL, `domain type '${def.type}' is not Xen's: the Xen driver runs domains of type 'xen'`);
  }
  return applyXenDefaults(def);
}

/** virConnectDomainXMLToNative: a domain XML document as xl.cfg or xm config text. */
export function domainXmlToNative(nativeFormat: string, domainXml: string, flags: number): string {
  checkFlags(flags, 0, 'libxlConnectDomainXMLToNative');
  checkFormat(nativeFormat);
  const def = parseXenDomainXml(domainXml);
  return nativeFormat === XEN_XL_FORMAT ? domainToXlConfig(def) : domainToXmConfig(def);
}

/** virConnectDomainXMLFromNative: xl.cfg or xm config text as a domain XML document. */
export function domainXmlFromNative(nativeFormat: string, nativeConfig: string, flags: number): string {
  checkFlags(flags, 0, 'libxlConnectDomainXMLFromNative');
  checkFormat(nativeFormat);
  const def = nativeFormat === XEN_XL_FORMAT ? domainFromXlConfig(nativeConfig) : domainFromXmConfig(nativeConfig);
  return formatDomainXml(def, { inactive: true, secure: true });
}
