// One domain of a xen:///system connection: core's domain record, with what the
// Xen driver remembers between xl calls.

import { ErrorDomain } from '@tsvirt/core';
import { DomainJobQueue, DomainObject } from '@tsvirt/core/driver';

export class XenDomain extends DomainObject {
  /** its state-changing calls, one at a time (two xl commands on one domain at once race in libxl) */
  readonly job = new DomainJobQueue(ErrorDomain.LIBXL);
  /** a shutdown was asked for: when xl no longer lists the domain, it shut down rather than crashed */
  shutdownRequested = false;
  /** xl said the domain crashed (its shutdown reason) */
  crashed = false;
}
