// Interfaces plugged into and out of a running guest with the taps the driver makes for
// them, as at a start: a network's or a bridge's interface gets a tap on its bridge,
// handed to QEMU by descriptor (getfd, then netdev_add fd=) where hv-native can pass
// descriptors, else made persistent for QEMU to open by name; unplugged, the tap goes.

import { closeSync } from 'node:fs';
import type { DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import type { QemuDriverState } from './driver-state.js';
import { loadHvNative } from './hv-native-peer.js';
import { plugInterface, releaseInterfaceTap } from './network/interface-plug.js';
import { closeTap } from './network/tap-devices.js';
import { hotplugInterface, unplugInterface } from './qemu-hotplug.js';
import type { QmpClient } from './qmp/qmp-client.js';

export async function attachInterface(s: QemuDriverState, qmp: QmpClient, def: DomainDef, nic: InterfaceDef): Promise<void> {
  const taken = new Set(def.devices.flatMap((d) => (d.kind === 'interface' && d.targetDev ? [d.targetDev] : [])));
  const tap = await plugInterface(s.network, nic, s.tapOwner, taken);
  let fdName: string | undefined;
  try {
    if (tap?.fd !== undefined) {
      const native = await loadHvNative();
      if (!native) throw new Error('a tap opened by hv-native without hv-native');
      fdName = `fd-${tap.name}`;
      await qmp.executeWithFds('getfd', { fdname: fdName }, [tap.fd], native.sendFds);
      // QEMU has its own copy now: the tap lives as long as QEMU holds it
      closeSync(tap.fd);
      tap.fd = undefined;
      await hotplugInterface(qmp, def, nic, fdName);
      return;
    }
    await hotplugInterface(qmp, def, nic);
  } catch (e) {
    if (fdName !== undefined) await qmp.execute('closefd', { fdname: fdName }).catch(() => {});
    if (tap?.fd !== undefined) await closeTap(tap);
    else if (tap) await releaseInterfaceTap(nic);
    throw e;
  }
}

export async function detachInterface(qmp: QmpClient, def: DomainDef, mac: string | undefined): Promise<void> {
  const nic = await unplugInterface(qmp, def, mac);
  await releaseInterfaceTap(nic);
}
