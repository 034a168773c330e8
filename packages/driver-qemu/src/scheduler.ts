// schedinfo: CPU tuning of a guest's QEMU through cgroups. A session instance has no
// cgroup of its own to tune, as libvirt's session daemon says; the system instance does
// not place its guests in cgroups yet, and says so.

import { ErrorNumber, type SchedulerType, type TypedParams } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { QemuDriverState } from './driver-state.js';
import { qemuError } from './qemu-errors.js';

function noCpuTuning(s: QemuDriverState, ref: DomainRef): never {
  s.dom(ref);
  if (s.options.uri.endsWith('/session')) throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, 'CPU tuning is not available in session mode');
  throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, 'CPU tuning needs the guests in cgroups, which this driver does not place them in yet');
}

export const schedulerType = (s: QemuDriverState, ref: DomainRef): SchedulerType => noCpuTuning(s, ref);
export const schedulerParameters = (s: QemuDriverState, ref: DomainRef): TypedParams => noCpuTuning(s, ref);
export const setSchedulerParameters = (s: QemuDriverState, ref: DomainRef): void => noCpuTuning(s, ref);
