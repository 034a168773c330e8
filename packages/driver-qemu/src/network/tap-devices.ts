// Tap devices for guests' interfaces, made by the driver (as root) and joined to a
// bridge. With hv-native the driver opens the tap and QEMU is handed its descriptor
// (the tap goes away with the last one); without it the tap is a persistent one that
// QEMU's user owns and QEMU attaches to by name, and a stopped guest's taps are removed.

import { closeSync } from 'node:fs';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { loadHvNative } from '../hv-native-peer.js';
import { hostCommand, quietly } from './host-command.js';
import { freeLinkName } from './bridge-device.js';

/** The host side's MAC: the guest's with the first byte 0xfe, so that the bridge never takes it as its own (libvirt's rule). */
export const hostSideMac = (guestMac: string) => `fe${guestMac.slice(2)}`;

export interface TapOwner {
  uid: number;
  gid: number;
}

export interface Tap {
  name: string;
  /** the descriptor QEMU is to be handed, when the driver opened the tap itself */
  fd?: number;
}

/** Open a tap vnetN: by descriptor with hv-native, else a persistent one that QEMU's user owns. */
async function openTap(owner: TapOwner, taken: ReadonlySet<string>): Promise<Tap> {
  const native = await loadHvNative();
  if (native?.openTap) {
    try {
      return native.openTap('vnet%d', true);
    } catch (e) {
      // an addon without /dev/net/tun access here: the persistent tap may still work
      if ((e as { code?: string }).code !== 'UNAVAILABLE') throw hostError(`Unable to create tap device vnet%d: ${(e as Error).message}`);
    }
  }
  const name = freeLinkName('vnet%d', taken);
  await hostCommand('ip', ['tuntap', 'add', 'dev', name, 'mode', 'tap', 'vnet_hdr', 'user', String(owner.uid), 'group', String(owner.gid)],
    `Unable to create tap device ${name}`);
  return { name };
}

const hostError = (info: string) => VirError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.NETWORK, info);

/** Make a tap for a guest's interface, on `bridge` if given, up. */
export async function createTap(guestMac: string | undefined, owner: TapOwner, bridge: string | undefined, taken: ReadonlySet<string>): Promise<Tap> {
  const made = await openTap(owner, taken);
  const tap = made.name;
  try {
    if (guestMac) await hostCommand('ip', ['link', 'set', tap, 'address', hostSideMac(guestMac)], `Cannot set interface MAC on '${tap}'`);
    if (bridge) await hostCommand('ip', ['link', 'set', tap, 'master', bridge], `Unable to add bridge ${bridge} port ${tap}`);
    await hostCommand('ip', ['link', 'set', tap, 'up'], `Cannot set interface flags on '${tap}'`);
  } catch (e) {
    await closeTap(made);
    throw e;
  }
  return made;
}

export const deleteTap = (name: string) => quietly('ip', ['tuntap', 'del', 'dev', name, 'mode', 'tap']);

/** Let go of a tap: close the driver's descriptor (the tap then lives as long as QEMU holds it), or remove a persistent one. */
export async function closeTap(tap: Tap): Promise<void> {
  if (tap.fd !== undefined) closeSync(tap.fd);
  else await deleteTap(tap.name);
}
