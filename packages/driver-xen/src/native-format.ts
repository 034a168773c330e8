// Xen's native configuration formats (xl.cfg, xm) and libxl's JSON: a placeholder
// until the converters land; every conversion is refused as libvirt refuses a call
// its driver lacks.

import { ErrorNumber } from '@tsvirt/core';
import { xenError } from './xen-errors.js';

const unsupported = (fn: string) => xenError(ErrorNumber.NO_SUPPORT, fn);

/** virConnectDomainXMLToNative for 'xen-xl' and 'xen-xm'. */
export function domainXmlToNative(_nativeFormat: string, _domainXml: string, _flags: number): string {
  throw unsupported('virConnectDomainXMLToNative');
}

/** virConnectDomainXMLFromNative for 'xen-xl' and 'xen-xm'. */
export function domainXmlFromNative(_nativeFormat: string, _nativeConfig: string, _flags: number): string {
  throw unsupported('virConnectDomainXMLFromNative');
}

