// The passwords of a guest's VNC and SPICE displays, given to QEMU over the monitor once it
// runs (never on its command line, which every local user can read), as libvirt does; until
// then the displays ask for a password nobody has.

import type { DomainDef } from '@tsvirt/core/xml';
import type { QmpClient } from './qmp/qmp-client.js';

export async function applyGraphicsPasswords(qmp: QmpClient, def: DomainDef): Promise<void> {
  for (const dev of def.devices) {
    if (dev.kind !== 'other' || dev.element.name !== 'graphics') continue;
    const { type, passwd, passwdValidTo } = dev.element.attrs;
    if ((type !== 'vnc' && type !== 'spice') || passwd === undefined) continue;
    await qmp.execute('set_password', { protocol: type, password: passwd });
    // passwdValidTo is UTC without a zone ("2011-05-31T16:11:22"); QEMU takes seconds since the epoch
    const expiry = passwdValidTo === undefined ? undefined : Date.parse(`${passwdValidTo}Z`);
    if (expiry !== undefined && Number.isFinite(expiry)) await qmp.execute('expire_password', { protocol: type, time: String(Math.floor(expiry / 1000)) });
  }
}
