// The filter flags that networks and storage pools share, with the same values:
// each pair (active/inactive, persistent/transient, autostart/no-autostart) filters
// only when one of its two flags is given.
const INACTIVE = 1;
const ACTIVE = 2;
const PERSISTENT = 4;
const TRANSIENT = 8;
const AUTOSTART = 16;
const NO_AUTOSTART = 32;

export interface Listable {
  readonly active: boolean;
  readonly persistent: boolean;
  readonly autostart: boolean;
}

function pairAllows(flags: number, yes: number, no: number, value: boolean): boolean {
  if (!(flags & (yes | no))) return true;
  return value ? (flags & yes) !== 0 : (flags & no) !== 0;
}

/** Whether an object passes the state filters of a listAll call. */
export function matchesStateFlags(flags: number, o: Listable): boolean {
  return pairAllows(flags, ACTIVE, INACTIVE, o.active)
    && pairAllows(flags, PERSISTENT, TRANSIENT, o.persistent)
    && pairAllows(flags, AUTOSTART, NO_AUTOSTART, o.autostart);
}
