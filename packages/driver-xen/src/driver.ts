// The Xen driver's entry: xen:///system (the local host, through the xl toolstack)
// and xenapi://[user@]HOST[:PORT]/ (a XenServer or XCP-ng host, through XenAPI).

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { Driver } from '@tsvirt/core/driver';
import { xenDirs } from './xen-dirs.js';
import { XenConnection } from './xen-connection.js';
import { xenError } from './xen-errors.js';

/** The xl binary: TSVIRT_XEN_XL (an administrator's setting, never a client's), else xl on PATH. */
const xlBinary = () => process.env.TSVIRT_XEN_XL || 'xl';

export const driver: Driver = {
  name: 'Xen',
  schemes: ['xen', 'xenapi'],
  async open(uri) {
    if (uri.transport !== null) return 'declined';
    if (uri.driver === 'xenapi') {
      throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.XENAPI, 'the XenAPI backend');
    }
    // xen://host/system belongs to the remote driver.
    if (uri.host !== null) return 'declined';
    // as libvirt's libxl driver: xen:/// and xen:///system
    if (uri.path !== '/system' && uri.path !== '/' && uri.path !== '') {
      throw xenError(ErrorNumber.INTERNAL_ERROR, `unexpected Xen URI path '${uri.path}', try xen:///system`);
    }
    return XenConnection.open({ uri: uri.text, dirs: xenDirs(), xl: { binary: xlBinary() } });
  },
};
