// A starting guest's network interfaces on the host: for type='network' a tap on the
// network's bridge, for type='bridge' (as root) a tap on the named bridge, for
// type='ethernet' without a target a tap of its own. The live definition then names
// the tap (<target dev='vnetN'/>) and, for a network, its bridge, as libvirt's does;
// QEMU attaches to the tap. A stopped guest's taps go away with it.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import { linkExists } from './bridge-device.js';
import type { NetworkDriver } from './network-driver.js';
import { createTap, deleteTap, type TapOwner } from './tap-devices.js';

/** Names of the taps the driver makes: libvirt's prefix, which users' target names may not take. */
const DRIVER_TAP = /^vnet\d+$/;

const driverTaps = (def: DomainDef) =>
  def.devices.filter((d): d is InterfaceDef => d.kind === 'interface' && ['network', 'bridge', 'ethernet'].includes(d.type)
    && d.targetDev !== undefined && DRIVER_TAP.test(d.targetDev));

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

/** Make the taps of a starting domain and name them in its live definition; all or none. */
export async function plugInterfaces(net: NetworkDriver | undefined, def: DomainDef, owner: TapOwner): Promise<void> {
  const made = new Set<string>();
  try {
    for (const nic of def.devices) {
      if (nic.kind !== 'interface') continue;
      const bridge = bridgeOf(nic, net);
      if (bridge === null) continue;
      nic.targetDev = await createTap(undefined, nic.mac, owner, bridge, made);
      made.add(nic.targetDev);
      if (nic.type === 'network' && bridge) nic.source = { ...nic.source, bridge };
    }
  } catch (e) {
    await Promise.all([...made].map(deleteTap));
    throw e;
  }
}

/** Remove the taps the driver made for a domain that has stopped. */
export async function unplugInterfaces(def: DomainDef): Promise<void> {
  await Promise.all(driverTaps(def).map((nic) => deleteTap(nic.targetDev!)));
}
