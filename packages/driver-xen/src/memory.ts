// Memory: the balloon target (`xl mem-set`) and the ceiling (`xl mem-max`) of the
// running domain, and/or the persistent definition.

import { DomainMemoryModFlags as MemFlags, ErrorNumber } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { XenDriverState } from './driver-state.js';
import { writeLiveDef } from './domain-state-file.js';
import { checkFlags, fromXl, xenError } from './xen-errors.js';

const MAX_KIB = 2 ** 42;

function checkSize(kib: number): void {
  if (!Number.isSafeInteger(kib) || kib <= 0 || kib > MAX_KIB) throw xenError(ErrorNumber.INVALID_ARG, `memory size ${kib} KiB out of range`);
}

export async function setMemory(s: XenDriverState, ref: DomainRef, kib: number, flags: number): Promise<void> {
  checkFlags(flags, MemFlags.LIVE | MemFlags.CONFIG | MemFlags.MAXIMUM, 'libxlDomainSetMemoryFlags');
  checkSize(kib);
  const d = await s.dom(ref);
  const { live, config } = d.affectedDefs(flags);
  const max = (flags & MemFlags.MAXIMUM) !== 0;
  if (!max && kib > (live ?? config!).memory) throw xenError(ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');
  if (live) {
    try {
      await s.xl([max ? 'mem-max' : 'mem-set', String(d.id), `${kib}k`]);
    } catch (e) {
      throw fromXl(`set memory for domain '${d.name}'`, e);
    }
    if (max) live.memory = kib;
    else live.currentMemory = kib;
    await writeLiveDef(s.dirs.runDir, live, d.id);
  }
  if (config) {
    if (max) config.memory = kib;
    else config.currentMemory = kib;
    await s.configs.save(config);
  }
}

export const setMaxMemory = (s: XenDriverState, ref: DomainRef, kib: number) => setMemory(s, ref, kib, MemFlags.MAXIMUM);
