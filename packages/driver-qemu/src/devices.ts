// Devices: attach, detach and update, on the live domain over QMP and/or in the
// persistent config, as the LIVE/CONFIG/CURRENT flags say.

import { DomainDeviceModifyFlags as DeviceModify, ErrorNumber } from '@tsvirt/core';
import { modificationImpact, type DomainRef } from '@tsvirt/core/driver';
import type { DiskDef } from '@tsvirt/core/xml';
import { diskFilesToLabel } from './dac-seclabel.js';
import { applyConfigDeviceChange, parseDeviceXml, type DeviceChange } from './device-config.js';
import { fillDeviceDefaults } from './domain-defaults.js';
import { dacOf } from './domain-security.js';
import type { QemuDriverState } from './driver-state.js';
import { checkDiskSources } from './lifecycle.js';
import { attachInterface, detachInterface } from './interface-hotplug.js';
import { changeMedia, hotplugDisk, unplugDisk } from './qemu-hotplug.js';
import type { QemuDomain } from './qemu-domain.js';
import { checkFlags, fromMonitorError, qemuError } from './qemu-errors.js';
import type { QmpClient } from './qmp/qmp-client.js';

/**
 * A disk's live change, its image's owner following it as at a start: a new
 * image is given to QEMU's user first, one that QEMU let go of is given back.
 */
async function changeLiveDisk(s: QemuDriverState, d: QemuDomain, qmp: QmpClient, dev: DiskDef, change: DeviceChange): Promise<void> {
  const dac = await dacOf(s, d);
  const before = d.def.devices.find((x): x is DiskDef => x.kind === 'disk' && x.target.dev === dev.target.dev);
  const released = before ? (await diskFilesToLabel(before, dac)).map((f) => f.path) : [];
  const given = change === 'detach' ? [] : await diskFilesToLabel(dev, dac);
  const kept = given.map((f) => f.path);
  if (change === 'attach') await checkDiskSources([dev]);
  await s.owners.label(d.uuid, given);
  try {
    if (change === 'attach') await hotplugDisk(qmp, d.def, dev);
    else if (change === 'detach') await unplugDisk(qmp, d.def, dev.target.dev);
    else await changeMedia(qmp, d.def, dev);
  } catch (e) {
    await s.owners.restore(d.uuid, kept.filter((p) => !released.includes(p)));
    throw e;
  }
  await s.owners.restore(d.uuid, released.filter((p) => !kept.includes(p)));
}

const capitalized = (change: DeviceChange) => `${change[0].toUpperCase()}${change.slice(1)}`;

export async function changeDevice(s: QemuDriverState, ref: DomainRef, xml: string, flags: number, change: DeviceChange): Promise<void> {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG | DeviceModify.FORCE, `qemuDomain${capitalized(change)}DeviceFlags`);
  const d = s.dom(ref);
  await d.job.run(`virDomain${capitalized(change)}DeviceFlags`, async () => {
    const { live, config } = modificationImpact(d, flags);
    if (config) await s.updateConfig(d, (def) => applyConfigDeviceChange(def, parseDeviceXml(xml), change));
    if (!live) return;
    const parsed = parseDeviceXml(xml);
    const dev = change === 'detach' ? parsed : fillDeviceDefaults(parsed);
    const { qmp } = s.running(d);
    try {
      if (dev.kind === 'disk') {
        await changeLiveDisk(s, d, qmp, dev, change);
      } else if (dev.kind === 'interface' && change !== 'update') {
        if (change === 'attach') await attachInterface(s, qmp, d.def, dev);
        else await detachInterface(qmp, d.def, dev.mac);
      } else {
        throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `live ${change} of device '${dev.kind === 'other' ? dev.element.name : dev.kind}' is not supported`);
      }
    } catch (e) {
      throw fromMonitorError(e);
    }
    // the guest has the device: libvirt tells by its alias (removals are told by QEMU's DEVICE_DELETED)
    if (change === 'attach' && dev.alias !== undefined) s.events.raise({ kind: 'deviceAdded', domain: d.ref(), devAlias: dev.alias });
    await s.saveState(d);
  });
}
