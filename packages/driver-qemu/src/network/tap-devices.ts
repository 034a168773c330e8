// Tap devices for guests' interfaces, made by the driver (as root) and joined to a
// bridge. QEMU attaches to one by name (its user owns the tap) or is handed its
// descriptor; a stopped guest's taps are removed.

import { hostCommand, quietly } from './host-command.js';
import { freeLinkName } from './bridge-device.js';

/** The host side's MAC: the guest's with the first byte 0xfe, so that the bridge never takes it as its own (libvirt's rule). */
export const hostSideMac = (guestMac: string) => `fe${guestMac.slice(2)}`;

export interface TapOwner {
  uid: number;
  gid: number;
}

/** Make a persistent tap (vnetN unless named) owned by QEMU's user, on `bridge` if given, up. */
export async function createTap(name: string | undefined, guestMac: string | undefined, owner: TapOwner, bridge: string | undefined, taken: ReadonlySet<string>): Promise<string> {
  const tap = name ?? freeLinkName('vnet%d', taken);
  await hostCommand('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap', 'vnet_hdr', 'user', String(owner.uid), 'group', String(owner.gid)],
    `Unable to create tap device ${tap}`);
  try {
    if (guestMac) await hostCommand('ip', ['link', 'set', tap, 'address', hostSideMac(guestMac)], `Cannot set interface MAC on '${tap}'`);
    if (bridge) await hostCommand('ip', ['link', 'set', tap, 'master', bridge], `Unable to add bridge ${bridge} port ${tap}`);
    await hostCommand('ip', ['link', 'set', tap, 'up'], `Cannot set interface flags on '${tap}'`);
  } catch (e) {
    await deleteTap(tap);
    throw e;
  }
  return tap;
}

export const deleteTap = (name: string) => quietly('ip', ['tuntap', 'del', 'dev', name, 'mode', 'tap']);
