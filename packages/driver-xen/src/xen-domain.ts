// One domain of a xen:///system connection: core's domain record, with what the
// Xen driver remembers between xl calls.

import { DomainObject } from '@tsvirt/core/driver';

export class XenDomain extends DomainObject {
  /** a shutdown was asked for: when xl no longer lists the domain, it shut down rather than crashed */
  shutdownRequested = false;
  /** xl said the domain crashed (its shutdown reason) */
  crashed = false;
}
