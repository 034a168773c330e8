// A starting guest's network interfaces on the host: for type='network' a tap on the
// network's bridge, for type='bridge' (as root) a tap on the named bridge, for
// type='ethernet' without a target a tap of its own. The live definition then names
// the tap (<target dev='vnetN'/>) and, for a network, its bridge, as libvirt's does;
// QEMU is handed the tap's descriptor (fd=N) or attaches to it by name. A stopped
// guest's taps go away with it.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import { linkExists } from './bridge-device.js';
import type { NetworkDriver } from './network-driver.js';
import { closeSync } from 'node:fs';
import { closeTap, createTap, deleteTap, type Tap, type TapOwner } from './tap-devices.js';

/** Names of the taps the driver makes: libvirt's prefix, which users' target names may not take. */
const DRIVER_TAP = /^vnet\d+$/;

/** The bridge a guest's interface joins, or null for an interface QEMU sets up itself. */
function bridgeOf(nic: InterfaceDef, net: NetworkDriver | undefined): string | undefined | null {
  if (nic.type === 'network') {
    if (!net) throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.NETWORK, 'virtual networks need the network driver, which runs as root');
    const name = nic.source?.network;
    if (!name) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, "Missing source network name in interface of type 'network'");
    return net.networks.bridgeForGuest(name);
  }
  if (!net) return null;
  if (nic.type === 'bridge') {
    const bridge = nic.source?.bridge;
    if (!bridge) return null;
    if (!linkExists(bridge)) throw VirError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.NONE, `Cannot get interface MTU on '${bridge}': No such device`);
    return bridge;
  }
  if (nic.type === 'ethernet' && nic.targetDev === undefined) return undefined;
  return null;
}

/**
 * Make the tap of one interface (none for one QEMU sets up itself) and name it in the
 * interface; `taken`: tap names already chosen and not yet made.
 */
export async function plugInterface(net: NetworkDriver | undefined, nic: InterfaceDef, owner: TapOwner, taken: ReadonlySet<string> = new Set()): Promise<Tap | undefined> {
  const bridge = bridgeOf(nic, net);
  if (bridge === null) return undefined;
  const tap = await createTap(nic.mac, owner, bridge, taken);
  nic.targetDev = tap.name;
  if (nic.type === 'network' && bridge) nic.source = { ...nic.source, bridge };
  return tap;
}

/** Make the taps of a starting domain and name them in its live definition; all or none. */
export async function plugInterfaces(net: NetworkDriver | undefined, def: DomainDef, owner: TapOwner): Promise<Tap[]> {
  const made: Tap[] = [];
  try {
    for (const nic of def.devices) {
      if (nic.kind !== 'interface') continue;
      const tap = await plugInterface(net, nic, owner, new Set(made.map((m) => m.name)));
      if (tap) made.push(tap);
    }
  } catch (e) {
    await Promise.all(made.map(closeTap));
    throw e;
  }
  return made;
}

/**
 * The descriptors of the taps the driver opened, in the order QEMU inherits them (4,
 * 5, ... after its monitor's 3), each tap's -netdev turned from ifname= into fd=.
 */
export function passTapFds(args: string[], taps: readonly Tap[]): number[] {
  const fds: number[] = [];
  for (const tap of taps) {
    if (tap.fd === undefined) continue;
    const byName = `ifname=${tap.name},script=no,downscript=no`;
    const at = args.findIndex((a, i) => args[i - 1] === '-netdev' && a.startsWith('tap,') && a.split(',').includes(`ifname=${tap.name}`));
    if (at < 0) continue;
    args[at] = args[at]!.replace(byName, `fd=${4 + fds.length}`);
    fds.push(tap.fd);
  }
  return fds;
}

/** Close the driver's copies of the taps' descriptors once QEMU has its own (or failed to start). */
export function closeTapFds(taps: readonly Tap[]): void {
  for (const tap of taps) if (tap.fd !== undefined) closeSync(tap.fd);
}

/** Remove the tap the driver made for an interface that QEMU let go of (a tap QEMU held by descriptor is gone already). */
export async function releaseInterfaceTap(nic: InterfaceDef): Promise<void> {
  if (nic.targetDev !== undefined && DRIVER_TAP.test(nic.targetDev) && ['network', 'bridge', 'ethernet'].includes(nic.type)) await deleteTap(nic.targetDev);
}

/** Remove the taps the driver made for a domain that has stopped. */
export async function unplugInterfaces(def: DomainDef): Promise<void> {
  await Promise.all(def.devices.flatMap((d) => (d.kind === 'interface' ? [releaseInterfaceTap(d)] : [])));
}
