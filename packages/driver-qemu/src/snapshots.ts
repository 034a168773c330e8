// Snapshots of QEMU guests, as libvirt's QEMU driver takes them with QEMU 7.2:
// internal ones of a running guest through QEMU's snapshot-save / -load / -delete jobs
// (memory and every qcow2 disk), of a shut-off guest through qemu-img snapshot; external
// disk-only ones through blockdev-snapshot-sync (running) or a qemu-img overlay (shut
// off), the guest's disks moving onto the new images. The tree is core's, its records
// are kept in snapshot-store.ts.

import path from 'node:path';
import {
  DomainEventStartedDetailType as Started, DomainEventSuspendedDetailType as Suspended, DomainEventType as Ev, DomainPausedReason,
  DomainRunningReason, DomainShutoffReason, DomainSnapshotCreateFlags as Create, DomainSnapshotDeleteFlags as Del,
  DomainSnapshotRevertFlags as Revert, DomainSnapshotXMLFlags, DomainState, ErrorNumber,
} from '@tsvirt/core';
import type { DomainRef, DomainSnapshot, DomainSnapshotRef, SnapshotTree } from '@tsvirt/core/driver';
import { plainRef } from '@tsvirt/core/protocol';
import { parseSnapshotXml, SNAPSHOT_DISK_ONLY_STATE, type DiskDef, type DomainDef, type SnapshotDisk } from '@tsvirt/core/xml';
import { promises as fs } from 'node:fs';
import { validateDomainName } from './domain-name.js';
import { writeShutoffState } from './domain-state-file.js';
import { cloneDef, type QemuDriverState } from './driver-state.js';
import { launchQemu } from './lifecycle.js';
import type { QemuDomain } from './qemu-domain.js';
import { checkFlags, qemuError, viaMonitor } from './qemu-errors.js';
import { runQemuJob } from './qemu-jobs.js';
import { diskNodes } from './qemu-live-queries.js';
import type { RunningQemu } from './running-qemu.js';
import { qemuImg } from './storage/qemu-img.js';
import { diskAlias, diskSourcePath } from './disk-args.js';

const refOf = (snap: DomainSnapshot) => plainRef('DomainSnapshot', snap) as unknown as DomainSnapshotRef;

/** A domain's snapshot tree, read from its records on first use. */
async function treeOf(s: QemuDriverState, d: QemuDomain): Promise<SnapshotTree> {
  d.snapshots ??= await s.snapshotStore.load(() => d.name);
  return d.snapshots;
}

async function snapshotOf(s: QemuDriverState, ref: DomainSnapshotRef): Promise<{ d: QemuDomain; tree: SnapshotTree; snap: DomainSnapshot }> {
  const d = s.domains.byName(ref.domain);
  const tree = await treeOf(s, d);
  return { d, tree, snap: tree.get(ref.name) };
}

/** The disks a snapshot covers: writable ones with an image. */
const snapshotDisks = (def: DomainDef) => def.devices.filter((x): x is DiskDef => x.kind === 'disk' && x.device === 'disk' && !x.readonly && diskSourcePath(x) !== undefined);

/** Internal snapshots live inside qcow2 images: any other writable disk refuses them, as libvirt does. */
function checkInternal(def: DomainDef): DiskDef[] {
  const disks = snapshotDisks(def);
  for (const disk of disks) {
    const format = disk.driver?.type ?? 'raw';
    if (format !== 'qcow2') throw qemuError(ErrorNumber.CONFIG_UNSUPPORTED, `internal snapshot for disk ${disk.target.dev} unsupported for storage type ${format}`);
  }
  return disks;
}

/** The format nodes of a running guest's snapshot disks; the first also holds the memory. */
async function nodesOf(running: RunningQemu, disks: DiskDef[]): Promise<string[]> {
  const nodeOf = await diskNodes(running.qmp);
  return disks.map((disk) => {
    const node = nodeOf(disk.alias ?? diskAlias(disk));
    if (!node) throw qemuError(ErrorNumber.INTERNAL_ERROR, `cannot find the block node of disk '${disk.target.dev}'`);
    return node;
  });
}

/** libvirt's default name of an external snapshot's image: the base image's with the snapshot's name for its extension. */
function overlayName(base: string, snapshot: string): string {
  const ext = path.extname(base);
  return `${ext ? base.slice(0, -ext.length) : base}.${snapshot}`;
}

async function internalSnapshot(s: QemuDriverState, d: QemuDomain, name: string): Promise<SnapshotDisk[]> {
  const disks = checkInternal(d.def);
  if (d.active) {
    const running = s.running(d);
    const devices = await nodesOf(running, disks);
    if (!devices.length) throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, 'internal snapshot of a running VM must include the memory state');
    await viaMonitor(runQemuJob(running.qmp, 'snapshot-save', { tag: name, vmstate: devices[0], devices }, d.job.progress));
  } else {
    for (const disk of disks) await qemuImg(['snapshot', '-c', name, diskSourcePath(disk)!]);
  }
  return d.def.devices.flatMap((x) => (x.kind !== 'disk' ? [] : [{ name: x.target.dev, snapshot: disks.includes(x) ? 'internal' as const : 'no' as const }]));
}

/** Disk-only: each disk moves onto a new qcow2 image whose backing file is its old one. */
async function externalSnapshot(s: QemuDriverState, d: QemuDomain, name: string, asked: SnapshotDisk[]): Promise<SnapshotDisk[]> {
  const out: SnapshotDisk[] = [];
  const moves: Array<{ dev: string; file: string }> = [];
  const running = d.active ? s.running(d) : undefined;
  const nodeOf = running && (await diskNodes(running.qmp));
  for (const disk of d.def.devices.filter((x): x is DiskDef => x.kind === 'disk')) {
    const spec = asked.find((a) => a.name === disk.target.dev);
    const base = diskSourcePath(disk);
    if (!snapshotDisks(d.def).includes(disk) || spec?.snapshot === 'no' || base === undefined) {
      out.push({ name: disk.target.dev, snapshot: 'no' });
      continue;
    }
    const file = path.resolve(spec?.file ?? overlayName(base, name));
    if (await fs.access(file).then(() => true, () => false)) {
      throw qemuError(ErrorNumber.OPERATION_INVALID, `external snapshot file for disk ${disk.target.dev} already exists and is not a block device: ${file}`);
    }
    if (running) {
      const node = nodeOf!(disk.alias ?? diskAlias(disk));
      await viaMonitor(running.qmp.execute('blockdev-snapshot-sync', {
        'node-name': node, 'snapshot-file': file, 'snapshot-node-name': `snapshot-${disk.alias ?? diskAlias(disk)}-${name}`.slice(0, 31), format: 'qcow2',
      }));
    } else {
      await qemuImg(['create', '-f', 'qcow2', '-F', disk.driver?.type ?? 'raw', '-b', base, file]);
    }
    moves.push({ dev: disk.target.dev, file });
    out.push({ name: disk.target.dev, snapshot: 'external', file, driverType: 'qcow2' });
  }
  // The guest's disks are the new images now, in its live and persistent definitions alike.
  const moveDisks = (def: DomainDef) => {
    for (const m of moves) {
      const disk = def.devices.find((x): x is DiskDef => x.kind === 'disk' && x.target.dev === m.dev);
      if (!disk) continue;
      disk.type = 'file';
      disk.source = { file: m.file };
      disk.driver = { ...disk.driver, type: 'qcow2' };
    }
  };
  if (d.active) {
    moveDisks(d.def);
    await s.saveState(d);
  }
  if (d.persistent) await s.updateConfig(d, moveDisks);
  return out;
}

export async function createSnapshot(s: QemuDriverState, ref: DomainRef, xml: string, flags: number): Promise<DomainSnapshotRef> {
  checkFlags(flags, Create.HALT | Create.DISK_ONLY | Create.ATOMIC | Create.VALIDATE, 'qemuDomainSnapshotCreateXML');
  const d = s.dom(ref);
  const req = parseSnapshotXml(xml);
  const name = req.name ?? String(Math.floor(Date.now() / 1000));
  // The name becomes a file name (the snapshot's record, an overlay's extension).
  validateDomainName(name);
  const diskOnly = (flags & Create.DISK_ONLY) !== 0 || req.disks.some((x) => x.snapshot === 'external');
  const snap = await d.job.run('virDomainSnapshotCreateXML', async () => {
    const tree = await treeOf(s, d);
    tree.checkNew(name);
    const def = cloneDef(d.def);
    const inactiveDef = d.active && d.persistent ? cloneDef(d.persistentDef) : undefined;
    const state = diskOnly ? SNAPSHOT_DISK_ONLY_STATE : d.state;
    const disks = diskOnly ? await externalSnapshot(s, d, name, req.disks) : await internalSnapshot(s, d, name);
    const created = tree.add({
      name, description: req.description, state, creationTime: Math.floor(Date.now() / 1000),
      memory: !diskOnly && d.active ? 'internal' : 'no', disks, def, inactiveDef,
    });
    await s.snapshotStore.save(d.name, tree);
    return created;
  });
  if ((flags & Create.HALT) && d.active) {
    const running = s.running(d);
    d.stopReason = DomainShutoffReason.FROM_SNAPSHOT;
    await running.stop();
    await d.afterExit;
  }
  return refOf(snap);
}

export async function listSnapshots(s: QemuDriverState, ref: DomainRef, flags: number): Promise<DomainSnapshotRef[]> {
  return (await treeOf(s, s.dom(ref))).list(flags).map(refOf);
}

export async function lookupSnapshot(s: QemuDriverState, ref: DomainRef, name: string, flags: number): Promise<DomainSnapshotRef> {
  checkFlags(flags, 0, 'qemuDomainSnapshotLookupByName');
  return refOf((await treeOf(s, s.dom(ref))).get(name));
}

export async function hasCurrentSnapshot(s: QemuDriverState, ref: DomainRef, flags: number): Promise<boolean> {
  checkFlags(flags, 0, 'qemuDomainHasCurrentSnapshot');
  return (await treeOf(s, s.dom(ref))).current !== null;
}

export async function currentSnapshot(s: QemuDriverState, ref: DomainRef, flags: number): Promise<DomainSnapshotRef> {
  checkFlags(flags, 0, 'qemuDomainSnapshotCurrent');
  return refOf((await treeOf(s, s.dom(ref))).currentOrFail());
}

export async function snapshotXml(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<string> {
  checkFlags(flags, DomainSnapshotXMLFlags.SECURE, 'qemuDomainSnapshotGetXMLDesc');
  return (await snapshotOf(s, ref)).snap.toXml((flags & DomainSnapshotXMLFlags.SECURE) !== 0);
}

export async function snapshotParent(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<DomainSnapshotRef> {
  checkFlags(flags, 0, 'qemuDomainSnapshotGetParent');
  const { tree, snap } = await snapshotOf(s, ref);
  return refOf(tree.parentOf(snap));
}

export async function snapshotChildren(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<DomainSnapshotRef[]> {
  const { tree, snap } = await snapshotOf(s, ref);
  return tree.children(snap, flags).map(refOf);
}

export async function snapshotIsCurrent(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<boolean> {
  checkFlags(flags, 0, 'qemuDomainSnapshotIsCurrent');
  const { tree, snap } = await snapshotOf(s, ref);
  return tree.current === snap;
}

export async function snapshotHasMetadata(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<boolean> {
  checkFlags(flags, 0, 'qemuDomainSnapshotHasMetadata');
  await snapshotOf(s, ref);
  return true;
}

/** Delete snapshots from their images (QEMU's job while the guest runs, qemu-img while it is off), then from the tree. */
export async function deleteSnapshot(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<void> {
  checkFlags(flags, Del.CHILDREN | Del.METADATA_ONLY | Del.CHILDREN_ONLY, 'qemuDomainSnapshotDelete');
  const { d, tree, snap } = await snapshotOf(s, ref);
  await d.job.run('virDomainSnapshotDelete', async () => {
    const doomed = tree.doomed(snap, flags);
    if (!(flags & Del.METADATA_ONLY)) {
      const external = doomed.filter((x) => x.external).length;
      if (external) throw qemuError(ErrorNumber.CONFIG_UNSUPPORTED, `deletion of ${external} external disk snapshots not supported yet`);
      for (const victim of doomed) {
        // The images the snapshot is in: those its disks had when it was taken (an external snapshot since may have moved them).
        const images = snapshotDisks(victim.facts.def).filter((x) => victim.facts.disks.some((v) => v.name === x.target.dev && v.snapshot === 'internal'))
          .map((x) => diskSourcePath(x)!);
        if (d.active) {
          const running = s.running(d);
          const open = snapshotDisks(d.def).filter((x) => images.includes(diskSourcePath(x)!));
          if (open.length !== images.length) throw qemuError(ErrorNumber.OPERATION_INVALID, `snapshot '${victim.name}' is in images the running domain does not use; delete it while the domain is shut off`);
          await viaMonitor(runQemuJob(running.qmp, 'snapshot-delete', { tag: victim.name, devices: await nodesOf(running, open) }, d.job.progress));
        } else {
          for (const image of images) await qemuImg(['snapshot', '-d', victim.name, image]);
        }
      }
    }
    tree.delete(snap, flags);
    await s.snapshotStore.save(d.name, tree);
  });
}

/** Bring a guest back to a snapshot: its memory and disks (running ones), or its disks and definition (shut-off ones). */
export async function revertToSnapshot(s: QemuDriverState, ref: DomainSnapshotRef, flags: number): Promise<void> {
  checkFlags(flags, Revert.RUNNING | Revert.PAUSED | Revert.FORCE, 'qemuDomainRevertToSnapshot');
  if ((flags & Revert.RUNNING) && (flags & Revert.PAUSED)) {
    throw qemuError(ErrorNumber.INVALID_ARG, "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
  }
  const { d, tree, snap } = await snapshotOf(s, ref);
  if (snap.external) throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, 'revert to external snapshot not supported yet');
  const withMemory = snap.facts.memory === 'internal';
  const paused = flags & Revert.PAUSED ? true : flags & Revert.RUNNING ? false : snap.facts.state === DomainState.PAUSED;
  await d.job.run('virDomainRevertToSnapshot', async () => {
    if (withMemory) await revertRunning(s, d, snap, paused);
    else await revertShutoff(s, d, snap, (flags & (Revert.RUNNING | Revert.PAUSED)) !== 0, paused);
    tree.current = snap;
    await s.snapshotStore.save(d.name, tree);
  });
}

async function loadSnapshot(running: RunningQemu, d: QemuDomain, snap: DomainSnapshot): Promise<void> {
  const devices = await nodesOf(running, checkInternal(d.def));
  await runQemuJob(running.qmp, 'snapshot-load', { tag: snap.name, vmstate: devices[0], devices }, d.job.progress);
}

async function revertRunning(s: QemuDriverState, d: QemuDomain, snap: DomainSnapshot, paused: boolean): Promise<void> {
  if (!d.active) {
    // A fresh QEMU with the snapshot's devices, its state loaded before the vCPUs run.
    const persistent = d.persistent ? d.persistentDef : null;
    d.def = cloneDef(snap.facts.def);
    d.newDef = persistent;
    await launchQemu(s, d, paused, { incoming: false, reason: DomainRunningReason.FROM_SNAPSHOT, load: (r) => loadSnapshot(r, d, snap) });
    s.events.lifecycle(d.ref(), Ev.STARTED, Started.FROM_SNAPSHOT);
    if (paused) s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.FROM_SNAPSHOT);
    return;
  }
  const running = s.running(d);
  if (d.state === DomainState.RUNNING) await viaMonitor(running.qmp.execute('stop'));
  await viaMonitor(loadSnapshot(running, d, snap));
  if (!paused) await viaMonitor(running.qmp.execute('cont'));
  if (paused) d.setPaused(DomainPausedReason.FROM_SNAPSHOT);
  else d.setRunning(d.id, DomainRunningReason.FROM_SNAPSHOT);
  await s.saveState(d);
}

async function revertShutoff(s: QemuDriverState, d: QemuDomain, snap: DomainSnapshot, start: boolean, paused: boolean): Promise<void> {
  if (d.active) {
    const running = s.running(d);
    d.stopReason = DomainShutoffReason.FROM_SNAPSHOT;
    await running.stop();
    await d.afterExit;
  } else {
    d.setShutoff(DomainShutoffReason.FROM_SNAPSHOT);
    await writeShutoffState(s.dirs.runDir, d.name, DomainShutoffReason.FROM_SNAPSHOT);
  }
  const def = cloneDef(snap.facts.def);
  for (const disk of snapshotDisks(def)) {
    if (snap.facts.disks.some((x) => x.name === disk.target.dev && x.snapshot === 'internal')) await qemuImg(['snapshot', '-a', snap.name, diskSourcePath(disk)!]);
  }
  if (d.persistent) await s.updateConfig(d, (next) => Object.assign(next, cloneDef(def)));
  else d.def = def;
  if (!start) return;
  await launchQemu(s, d, paused);
  s.events.lifecycle(d.ref(), Ev.STARTED, Started.FROM_SNAPSHOT);
  if (paused) s.events.lifecycle(d.ref(), Ev.SUSPENDED, Suspended.FROM_SNAPSHOT);
}
