// Devices: disks and NICs added to or removed from a running domain (`xl
// block-attach/detach`, `xl network-attach/detach`) and/or the persistent definition.

import { randomInt } from 'node:crypto';
import { DomainDeviceModifyFlags as DeviceModify, ErrorNumber } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import { parseDevice, parseXmlDocument, type DeviceDef, type DomainDef } from '@tsvirt/core/xml';
import { writeLiveDef } from './domain-state-file.js';
import type { XenDriverState } from './driver-state.js';
import type { ConfigValue } from './formats/config-syntax.js';
import { xlSettingsFromDomain } from './formats/domain-to-xl.js';
import { checkFlags, fromXl, xenError } from './xen-errors.js';

export type DeviceChange = 'attach' | 'detach';

const unsupported = (change: DeviceChange, dev: DeviceDef) =>
  xenError(ErrorNumber.OPERATION_UNSUPPORTED, `${change} of device '${dev.kind === 'other' ? dev.element.name : dev.kind}' is not supported`);

/** How a device is found in a definition: a disk by its target, a NIC by its MAC. */
const matches = (a: DeviceDef, b: DeviceDef) =>
  (a.kind === 'disk' && b.kind === 'disk' && a.target.dev === b.target.dev) || (a.kind === 'interface' && b.kind === 'interface' && a.mac === b.mac);

/** The xl spec of one disk or NIC, as the xl.cfg of the domain would write it ("format=raw, vdev=xvdb, ..."). */
function xlSpec(def: DomainDef, dev: DeviceDef, key: 'disk' | 'vif'): string {
  const one = { ...def, devices: [dev] };
  const list = xlSettingsFromDomain(one).find((x) => x.name === key)?.value as ConfigValue | undefined;
  const first = list?.kind === 'list' ? list.items[0] : undefined;
  if (first?.kind !== 'string') throw xenError(ErrorNumber.INTERNAL_ERROR, `no xl ${key} spec for the device`);
  return first.text;
}

function applyToDef(def: DomainDef, dev: DeviceDef, change: DeviceChange): void {
  const index = def.devices.findIndex((x) => matches(x, dev));
  if (change === 'attach') {
    if (index >= 0) throw xenError(ErrorNumber.OPERATION_FAILED, dev.kind === 'disk' ? `target ${dev.target.dev} already exists` : `a NIC with MAC ${dev.kind === 'interface' ? dev.mac : ''} already exists`);
    def.devices.push(dev);
  } else {
    if (index < 0) throw xenError(ErrorNumber.DEVICE_MISSING, dev.kind === 'disk' ? `disk ${dev.target.dev} not found` : `no device matching MAC address ${dev.kind === 'interface' ? dev.mac ?? '' : ''} found`);
    def.devices.splice(index, 1);
  }
}

async function changeLive(s: XenDriverState, id: number, def: DomainDef, dev: DeviceDef, change: DeviceChange): Promise<void> {
  if (dev.kind === 'disk') {
    await s.xl(change === 'attach' ? ['block-attach', String(id), xlSpec(def, dev, 'disk')] : ['block-detach', String(id), dev.target.dev]);
  } else if (dev.kind === 'interface') {
    if (change === 'detach' && !dev.mac) throw xenError(ErrorNumber.OPERATION_FAILED, 'a NIC to detach is named by its MAC address');
    await s.xl(change === 'attach' ? ['network-attach', String(id), ...xlSpec(def, dev, 'vif').split(/,\s*/)] : ['network-detach', String(id), dev.mac!]);
  } else throw unsupported(change, dev);
}

export async function changeDevice(s: XenDriverState, ref: DomainRef, xml: string, flags: number, change: DeviceChange): Promise<void> {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, `libxlDomain${change === 'attach' ? 'Attach' : 'Detach'}DeviceFlags`);
  const dev = parseDevice(parseXmlDocument(xml, '(device_definition)'));
  if (dev.kind !== 'disk' && dev.kind !== 'interface') throw unsupported(change, dev);
  const d = await s.dom(ref);
  const { live, config } = d.affectedDefs(flags);
  // a new NIC gets its MAC here, so that the live domain and the definition name it alike (Xen's prefix, as xl's)
  if (dev.kind === 'interface' && change === 'attach') dev.mac ??= `00:16:3e:${[0, 1, 2].map(() => randomInt(256).toString(16).padStart(2, '0')).join(':')}`;
  if (config) {
    applyToDef(config, structuredClone(dev), change);
    await s.configs.save(config);
  }
  if (!live) return;
  // checked on a copy first, so that xl is not asked for what the definition refuses
  applyToDef(structuredClone(live), dev, change);
  try {
    await changeLive(s, d.id, live, dev, change);
  } catch (e) {
    throw fromXl(`${change} device to domain '${d.name}'`, e);
  }
  applyToDef(live, dev, change);
  await writeLiveDef(s.dirs.runDir, live, d.id);
}
