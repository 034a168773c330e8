// Devices added to and removed from a running QEMU over QMP: disks
// (blockdev-add + device_add), interfaces (netdev_add + device_add), and the
// medium of a cdrom.

import { ErrorNumber } from '@tsvirt/core';
import type { DiskDef, DomainDef, InterfaceDef } from '@tsvirt/core/xml';
import { qemuError } from './qemu-errors.js';
import type { QmpClient } from './qmp/qmp-client.js';
import type { QmpEvent } from './qmp/qmp-wire.js';
import { hotplugPciAddress, isQ35 } from './pci-addresses.js';
import { diskNodes } from './qemu-live-queries.js';
import { diskAlias, diskBlockdevs, diskDevice, type QemuObject } from './disk-args.js';
import { interfaceDevice, interfaceNetdev } from './xml-to-native.js';

/** How long a removal waits for the guest to release the device (libvirt waits 5 s too). */
const UNPLUG_WAIT_MS = 5000;

const deviceAddArgs = (o: QemuObject) => ({ driver: o.driver, ...o.props });

const aliasNumber = (alias: string | undefined, prefix: string) => (alias?.startsWith(prefix) ? Number(alias.slice(prefix.length)) : -1);

export async function hotplugDisk(qmp: QmpClient, def: DomainDef, disk: DiskDef): Promise<void> {
  if (def.devices.some((d) => d.kind === 'disk' && d.target.dev === disk.target.dev)) {
    throw qemuError(ErrorNumber.OPERATION_FAILED, `target ${disk.target.dev} already exists`);
  }
  disk.alias = diskAlias(disk);
  // Checked (and taken) before anything is added to QEMU.
  hotplugPciAddress(def, disk);
  const nodeBase = `hotplug-${disk.alias}`;
  const nodes = diskBlockdevs(disk, nodeBase);
  const added: string[] = [];
  try {
    for (const node of nodes) {
      await qmp.execute('blockdev-add', node);
      added.unshift(node['node-name'] as string);
    }
    await qmp.execute('device_add', deviceAddArgs(diskDevice(disk, nodes.length ? `${nodeBase}-format` : undefined, isQ35(def))));
  } catch (e) {
    // Undo the nodes added before the failure, top first.
    for (const name of added) await qmp.execute('blockdev-del', { 'node-name': name }).catch(() => {});
    throw e;
  }
  def.devices.push(disk);
}

export async function unplugDisk(qmp: QmpClient, def: DomainDef, target: string): Promise<void> {
  const disk = def.devices.find((d): d is DiskDef => d.kind === 'disk' && d.target.dev === target);
  if (!disk) throw qemuError(ErrorNumber.DEVICE_MISSING, `disk ${target} not found`);
  const alias = disk.alias ?? diskAlias(disk);
  const format = (await diskNodes(qmp))(alias);
  await removeDevice(qmp, alias);
  if (format) {
    await qmp.execute('blockdev-del', { 'node-name': format });
    if (format.endsWith('-format')) await qmp.execute('blockdev-del', { 'node-name': format.replace(/-format$/, '-storage') }).catch(() => {});
  }
  def.devices.splice(def.devices.indexOf(disk), 1);
}

/** netdev_add and device_add of an interface; `tapFd`: the name QEMU knows the driver's tap descriptor by (getfd). */
export async function hotplugInterface(qmp: QmpClient, def: DomainDef, nic: InterfaceDef, tapFd?: string): Promise<void> {
  const used = def.devices.filter((d) => d.kind === 'interface').map((d) => aliasNumber(d.alias, 'net'));
  const index = Math.max(-1, ...used) + 1;
  nic.alias = `net${index}`;
  hotplugPciAddress(def, nic);
  const netdev = interfaceNetdev(nic, index);
  const props = tapFd === undefined ? netdev.props : { id: netdev.props.id, fd: tapFd };
  await qmp.execute('netdev_add', { type: netdev.driver, ...props });
  try {
    await qmp.execute('device_add', deviceAddArgs(interfaceDevice(nic, index, isQ35(def))));
  } catch (e) {
    await qmp.execute('netdev_del', { id: netdev.props.id }).catch(() => {});
    throw e;
  }
  def.devices.push(nic);
}

/** device_del and netdev_del of the interface with MAC address `mac`; the interface removed. */
export async function unplugInterface(qmp: QmpClient, def: DomainDef, mac: string | undefined): Promise<InterfaceDef> {
  const nics = def.devices.filter((d): d is InterfaceDef => d.kind === 'interface' && (mac === undefined || d.mac === mac));
  if (nics.length === 0) throw qemuError(ErrorNumber.DEVICE_MISSING, `no device matching MAC address ${mac ?? ''} found`);
  if (nics.length > 1) throw qemuError(ErrorNumber.OPERATION_FAILED, 'multiple devices matching MAC address found');
  const nic = nics[0];
  const alias = nic.alias!;
  await removeDevice(qmp, alias);
  await qmp.execute('netdev_del', { id: `host${alias}` }).catch(() => {});
  def.devices.splice(def.devices.indexOf(nic), 1);
  return nic;
}

/** Put a new medium in a cdrom (or eject it, when the new definition has no source). */
export async function changeMedia(qmp: QmpClient, def: DomainDef, update: DiskDef): Promise<void> {
  const disk = def.devices.find((d): d is DiskDef => d.kind === 'disk' && d.target.dev === update.target.dev);
  if (!disk) throw qemuError(ErrorNumber.DEVICE_MISSING, `disk ${update.target.dev} not found`);
  if (disk.device !== 'cdrom') throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, 'only the media of a cdrom can be changed');
  const id = disk.alias ?? diskAlias(disk);
  const file = update.source?.file;
  if (file === undefined) await qmp.execute('eject', { id, force: true });
  else await qmp.execute('blockdev-change-medium', { id, filename: file, format: update.driver?.type ?? 'raw', 'read-only-mode': 'read-only' });
  disk.source = update.source;
}

/** device_del, then wait for the guest to let go of it (DEVICE_DELETED); `timedOut`: the words when it does not. */
export async function removeDevice(qmp: QmpClient, alias: string, timedOut = `detach of device '${alias}' timed out: the guest did not release it`): Promise<void> {
  let onEvent!: (e: QmpEvent) => void;
  let timer: NodeJS.Timeout | undefined;
  const deleted = new Promise<boolean>((resolve) => {
    onEvent = (e) => {
      if (e.event === 'DEVICE_DELETED' && (e.data as { device?: string } | undefined)?.device === alias) resolve(true);
    };
    qmp.on('event', onEvent);
    timer = setTimeout(() => resolve(false), UNPLUG_WAIT_MS);
  });
  try {
    await qmp.execute('device_del', { id: alias });
    if (!(await deleted)) throw qemuError(ErrorNumber.OPERATION_TIMEOUT, timedOut);
  } finally {
    clearTimeout(timer);
    qmp.off('event', onEvent);
  }
}
