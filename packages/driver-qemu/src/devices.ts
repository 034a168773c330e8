// Devices: attach, detach and update, on the live domain over QMP and/or in the
// persistent config, as the LIVE/CONFIG/CURRENT flags say.

import { DomainDeviceModifyFlags as DeviceModify, ErrorNumber, modificationImpact, type DomainRef } from '@tsvirt/core';
import { applyConfigDeviceChange, parseDeviceXml, type DeviceChange } from './device-config.js';
import { fillDeviceDefaults } from './domain-defaults.js';
import type { QemuDriverState } from './driver-state.js';
import { checkDiskSources } from './lifecycle.js';
import { changeMedia, hotplugDisk, hotplugInterface, unplugDisk, unplugInterface } from './qemu-hotplug.js';
import { checkFlags, fromMonitorError, qemuError } from './qemu-errors.js';

const capitalized = (change: DeviceChange) => `${change[0].toUpperCase()}${change.slice(1)}`;

export async function changeDevice(s: QemuDriverState, ref: DomainRef, xml: string, flags: number, change: DeviceChange): Promise<void> {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG | DeviceModify.FORCE, `qemuDomain${capitalized(change)}DeviceFlags`);
  const d = s.dom(ref);
  await d.job.run(`virDomain${capitalized(change)}DeviceFlags`, async () => {
    const { live, config } = modificationImpact(d, flags);
    if (config) await s.updateConfig(d, (def) => applyConfigDeviceChange(def, parseDeviceXml(xml), change));
    if (!live) return;
    const dev = parseDeviceXml(xml);
    const { qmp } = s.running(d);
    try {
      if (dev.kind === 'disk') {
        if (change === 'attach') {
          await checkDiskSources([dev]);
          await hotplugDisk(qmp, d.def, dev);
        } else if (change === 'detach') await unplugDisk(qmp, d.def, dev.target.dev);
        else await changeMedia(qmp, d.def, dev);
      } else if (dev.kind === 'interface' && change !== 'update') {
        if (change === 'attach') await hotplugInterface(qmp, d.def, fillDeviceDefaults(dev));
        else await unplugInterface(qmp, d.def, dev.mac);
      } else {
        throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `live ${change} of device '${dev.kind === 'other' ? dev.element.name : dev.kind}' is not supported`);
      }
    } catch (e) {
      throw fromMonitorError(e);
    }
    await s.saveState(d);
  });
}
