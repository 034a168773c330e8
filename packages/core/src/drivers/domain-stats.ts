import {
  ConnectGetAllDomainStatsFlags as F, DomainStatsTypes, type DomainStatsRecord, type TypedParams,
} from '../gen/api.gen.js';
import type { Awaitable } from '../gen/driver.gen.js';
import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainObject } from './domain-object.js';
import type { DomainTable } from './domain-table.js';
import { checkFlags } from './flag-checks.js';

/** The state filters virConnectGetAllDomainStats shares with virConnectListAllDomains. */
const LIST_FILTERS = F.ACTIVE | F.INACTIVE | F.PERSISTENT | F.TRANSIENT | F.RUNNING | F.PAUSED | F.SHUTOFF | F.OTHER;
const STATS_FLAGS = LIST_FILTERS | F.NOWAIT | F.BACKING | F.ENFORCE_STATS;

/** One statistics group of a driver: its VIR_DOMAIN_STATS_* bit and what it reports of a domain. */
export interface DomainStatsGroup<D> {
  readonly type: number;
  collect(d: D, flags: number): Awaitable<TypedParams>;
}

/**
 * virConnectGetAllDomainStats, the rules libvirt applies in every driver: no stats types
 * means every group the driver has; a type it lacks is dropped, or refused with
 * ENFORCE_STATS; the state filters choose the domains; each record holds the groups in
 * the driver's order.
 */
export async function collectDomainStats<D extends DomainObject>(
  domains: DomainTable<D>, types: number, flags: number,
  groups: readonly DomainStatsGroup<D>[], fn: string, errorDomain: number,
): Promise<DomainStatsRecord[]> {
  checkFlags(flags, STATS_FLAGS, fn, errorDomain);
  const supported = groups.reduce((all, g) => all | g.type, 0);
  const unknown = types & ~supported;
  if (unknown && flags & F.ENFORCE_STATS) {
    throw VirError.of(ErrorNumber.ARGUMENT_UNSUPPORTED, errorDomain, `Stats types bits 0x${(unknown >>> 0).toString(16)} are not supported by this daemon`);
  }
  const wanted = groups.filter((g) => types === 0 || (types & g.type) !== 0);
  const records: DomainStatsRecord[] = [];
  for (const d of domains.list(flags & LIST_FILTERS)) {
    const params: TypedParams = {};
    for (const g of wanted) Object.assign(params, await g.collect(d, flags));
    records.push({ domain: d.uuid, params });
  }
  return records;
}

/** The state group (VIR_DOMAIN_STATS_STATE), the same in every driver. */
export const stateStatsGroup: DomainStatsGroup<DomainObject> = {
  type: DomainStatsTypes.STATE,
  collect: (d) => ({ 'state.state': d.state, 'state.reason': d.reason }),
};
