import { ConnectListAllDomainsFlags as L, ConnectListAllNetworksFlags as N, DomainState } from '../gen/api.gen.js';

/** What virConnectListAllDomains filters on. */
export interface ListableDomain {
  readonly active: boolean;
  readonly persistent: boolean;
  readonly autostart: boolean;
  readonly managedSave: boolean;
  readonly state: number;
  readonly hasSnapshots: boolean;
}

/** What the listAll calls of networks, storage pools and interfaces filter on. */
export interface ListableObject {
  readonly active: boolean;
  readonly persistent?: boolean;
  readonly autostart?: boolean;
}

/** A pair of opposite flags (active/inactive, ...) filters only when one of the two is given. */
function pairAllows(flags: number, yes: number, no: number, value: boolean): boolean {
  if (!(flags & (yes | no))) return true;
  return (flags & (value ? yes : no)) !== 0;
}

const STATE_FLAGS = L.RUNNING | L.PAUSED | L.SHUTOFF | L.OTHER;

function stateAllows(flags: number, state: number): boolean {
  if (!(flags & STATE_FLAGS)) return true;
  switch (state) {
    case DomainState.RUNNING: return (flags & L.RUNNING) !== 0;
    case DomainState.PAUSED: return (flags & L.PAUSED) !== 0;
    case DomainState.SHUTOFF: return (flags & L.SHUTOFF) !== 0;
    default: return (flags & L.OTHER) !== 0;
  }
}

/** Whether a domain passes virConnectListAllDomains' filter flags (libvirt's virDomainObjMatchFilter). */
export function domainMatchesListFlags(flags: number, d: ListableDomain): boolean {
  return pairAllows(flags, L.ACTIVE, L.INACTIVE, d.active)
    && pairAllows(flags, L.PERSISTENT, L.TRANSIENT, d.persistent)
    && stateAllows(flags, d.state)
    && pairAllows(flags, L.MANAGEDSAVE, L.NO_MANAGEDSAVE, d.managedSave)
    && pairAllows(flags, L.AUTOSTART, L.NO_AUTOSTART, d.autostart)
    && pairAllows(flags, L.HAS_SNAPSHOT, L.NO_SNAPSHOT, d.hasSnapshots)
    // no driver keeps checkpoints yet: every domain has none
    && pairAllows(flags, L.HAS_CHECKPOINT, L.NO_CHECKPOINT, false);
}

/** The flags virConnectListAllDomains knows. */
export const DOMAIN_LIST_FLAGS = Object.values(L).reduce((all, f) => all | f, 0);

/**
 * Whether a network, storage pool or interface passes its listAll call's state flags,
 * which those calls share with the same values (VIR_CONNECT_LIST_NETWORKS_* and kin).
 */
export function objectMatchesListFlags(flags: number, o: ListableObject): boolean {
  return pairAllows(flags, N.ACTIVE, N.INACTIVE, o.active)
    && pairAllows(flags, N.PERSISTENT, N.TRANSIENT, o.persistent ?? true)
    && pairAllows(flags, N.AUTOSTART, N.NO_AUTOSTART, o.autostart ?? false);
}
