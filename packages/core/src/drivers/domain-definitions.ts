import {
  DomainEventDefinedDetailType as Defined, DomainEventType as Ev, DomainEventUndefinedDetailType as Undefined,
} from '../gen/api.gen.js';
import type { DomainDef } from '../xml/domain/domain-def.js';
import type { DomainEvents } from './domain-events.js';
import type { DomainObject } from './domain-object.js';
import type { DomainTable } from './domain-table.js';

/**
 * Add a persistent definition to a driver's domains, as libvirt's define does: a new
 * domain (DEFINED/ADDED), or the next definition of an existing one, which a running
 * domain takes at its next start (DEFINED/UPDATED). The definition has passed
 * `table.existingFor` first.
 */
export function defineDomainObject<D extends DomainObject>(
  table: DomainTable<D>, events: DomainEvents, def: DomainDef, make: (def: DomainDef) => D,
): D {
  const existing = table.findUuid(def.uuid);
  if (!existing) {
    const d = make(def);
    table.add(d);
    events.lifecycle(d.ref(), Ev.DEFINED, Defined.ADDED);
    return d;
  }
  existing.persistent = true;
  if (existing.active) existing.newDef = def;
  else existing.def = def;
  events.lifecycle(existing.ref(), Ev.DEFINED, Defined.UPDATED);
  return existing;
}

/** Drop a domain's persistent definition: a running domain becomes transient, a stopped one goes (UNDEFINED/REMOVED). */
export function undefineDomainObject<D extends DomainObject>(table: DomainTable<D>, events: DomainEvents, d: D): void {
  d.autostart = false;
  d.managedSave = false;
  if (d.active) {
    d.persistent = false;
    d.newDef = null;
  } else {
    table.remove(d);
  }
  events.lifecycle(d.ref(), Ev.UNDEFINED, Undefined.REMOVED);
}
