import { DomainMemoryModFlags as Mem, ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { TestDomain } from './test-domain.js';
import { checkFlags, invalidOperation } from './test-errors.js';

/** Change the balloon (or, with MAXIMUM, the maximum) memory, in KiB, as libvirt's test driver does. */
export function setDomainMemory(d: TestDomain, memory: number, flags: number): void {
  checkFlags(flags, Mem.LIVE | Mem.CONFIG | Mem.MAXIMUM, 'testDomainSetMemoryFlags');
  const { live, config } = d.affectedDefs(flags);
  if (flags & Mem.MAXIMUM) {
    if (live) throw invalidOperation('cannot resize the maximum memory on an active domain');
    if (config) {
      config.memory = memory;
      config.currentMemory = Math.min(config.currentMemory, memory);
    }
    return;
  }
  for (const def of [live, config]) {
    if (!def) continue;
    if (memory > def.memory) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, 'cannot set memory higher than max memory');
    }
    def.currentMemory = memory;
  }
}
