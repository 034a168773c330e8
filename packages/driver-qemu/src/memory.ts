// Memory: the balloon target of the live domain and/or the persistent config.

import { DomainDeviceModifyFlags as DeviceModify, ErrorNumber } from '@tsvirt/core';
import { modificationImpact, type DomainRef } from '@tsvirt/core/driver';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, qemuError, viaMonitor } from './qemu-errors.js';

export async function setMemory(s: QemuDriverState, ref: DomainRef, memory: number, flags: number): Promise<void> {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainSetMemoryFlags');
  const d = s.dom(ref);
  await d.job.run('virDomainSetMemoryFlags', async () => {
    const { live, config } = modificationImpact(d, flags);
    if (memory > (live ? d.def : d.persistentDef).memory) throw qemuError(ErrorNumber.INVALID_ARG, 'cannot set memory higher than max memory');
    if (live) {
      // The balloon's target, in bytes; the guest's driver gives the memory back.
      await viaMonitor(s.running(d).qmp.execute('balloon', { value: memory * 1024 }));
      d.def.currentMemory = memory;
      await s.saveState(d);
    }
    if (config) await s.updateConfig(d, (def) => { def.currentMemory = memory; });
  });
}
