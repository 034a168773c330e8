// vCPUs: their threads as QEMU reports them, and pinning to host CPUs.

import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { DomainDeviceModifyFlags as DeviceModify, DomainVcpuFlags as Vcpu, ErrorNumber, type VcpuInfo, type VcpuPin } from '@tsvirt/core';
import { modificationImpact, type DomainRef } from '@tsvirt/core/driver';
import { formatIdList } from '@tsvirt/core/xml';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, qemuError, viaMonitor } from './qemu-errors.js';
import { pinVcpuThread, queryVcpus } from './qemu-live-queries.js';
import { removeDevice } from './qemu-hotplug.js';
import type { QmpClient } from './qmp/qmp-client.js';
import { domainDir } from './qemu-dirs.js';
import { setVcpuPin, vcpuPins } from './vcpu-pinning.js';

export async function getVcpus(s: QemuDriverState, ref: DomainRef): Promise<VcpuInfo[]> {
  return viaMonitor(queryVcpus(s.running(s.dom(ref))));
}

export async function pinVcpu(s: QemuDriverState, ref: DomainRef, vcpu: number, cpus: number[], flags: number): Promise<void> {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainPinVcpuFlags');
  const d = s.dom(ref);
  const hostCpus = availableParallelism();
  const bad = cpus.find((c) => !Number.isInteger(c) || c < 0 || c >= hostCpus);
  if (bad !== undefined || cpus.length === 0) throw qemuError(ErrorNumber.INVALID_ARG, `invalid cpumap: CPU ${bad ?? 'list'} is not available on this host`);
  await d.job.run('virDomainPinVcpuFlags', async () => {
    const { live, config } = modificationImpact(d, flags);
    const max = (live ? d.def : d.persistentDef).vcpu.max;
    if (vcpu < 0 || vcpu >= max) throw qemuError(ErrorNumber.INVALID_ARG, `vcpu ${vcpu} is out of range of live cpu count ${max}`);
    if (live) {
      await viaMonitor(pinVcpuThread(s.running(d), vcpu, cpus));
      setVcpuPin(d.def, vcpu, cpus);
      await s.saveState(d);
      s.events.raise({ kind: 'tunable', domain: d.ref(), params: { [`cputune.vcpupin${vcpu}`]: formatIdList(cpus) } });
    }
    if (config) await s.updateConfig(d, (def) => setVcpuPin(def, vcpu, cpus));
  });
}

export function getVcpuPinInfo(s: QemuDriverState, ref: DomainRef, flags: number): VcpuPin[] {
  checkFlags(flags, DeviceModify.LIVE | DeviceModify.CONFIG, 'qemuDomainGetVcpuPinInfo');
  const d = s.dom(ref);
  const def = (flags & DeviceModify.CONFIG) || !d.active ? d.persistentDef : d.def;
  const pins = new Map(vcpuPins(def).map((p) => [p.vcpu, p.cpus]));
  // An unpinned vCPU may run on every host CPU.
  const all = Array.from({ length: availableParallelism() }, (_, i) => i);
  return Array.from({ length: def.vcpu.max }, (_, vcpu) => ({ vcpu, cpus: pins.get(vcpu) ?? all }));
}

interface HotpluggableCpu { type: string; 'vcpus-count': number; props: Record<string, number>; 'qom-path'?: string }

/**
 * setvcpus: the online count of the live guest (vCPUs plugged in or out, in QEMU's slots
 * from query-hotpluggable-cpus, as libvirt does) and/or of the persistent definition; with
 * MAXIMUM, the persistent maximum.
 */
export async function setVcpus(s: QemuDriverState, ref: DomainRef, nvcpus: number, flags: number): Promise<void> {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM | Vcpu.GUEST | Vcpu.HOTPLUGGABLE, 'qemuDomainSetVcpusFlags');
  if (nvcpus === 0) throw qemuError(ErrorNumber.INVALID_ARG, "Can't set 0 processors for a VM");
  if (flags & Vcpu.GUEST) throw qemuError(ErrorNumber.ARGUMENT_UNSUPPORTED, 'setting the vCPUs the guest uses needs the guest agent, which this driver does not speak');
  const d = s.dom(ref);
  await d.job.run('virDomainSetVcpusFlags', async () => {
    const { live, config } = modificationImpact(d, flags & (Vcpu.LIVE | Vcpu.CONFIG));
    if (flags & Vcpu.MAXIMUM) {
      if (live) throw qemuError(ErrorNumber.INVALID_ARG, "maximum vcpu count of a live domain can't be modified");
      await s.updateConfig(d, (def) => { def.vcpu.max = nvcpus; if ((def.vcpu.current ?? nvcpus) >= nvcpus) delete def.vcpu.current; });
      return;
    }
    for (const [on, def, which] of [[live, d.def, 'live'], [config, d.persistentDef, 'persistent']] as const) {
      if (on && nvcpus > def.vcpu.max) {
        throw qemuError(ErrorNumber.INVALID_ARG, `requested vcpus is greater than max allowable vcpus for the ${which} domain: ${nvcpus} > ${def.vcpu.max}`);
      }
    }
    if (live) {
      await viaMonitor(plugVcpus(s.running(d).qmp, path.join(domainDir(s.dirs, d.uuid), 'unplugged-vcpus'), nvcpus));
      d.def.vcpu.current = nvcpus;
      if (nvcpus === d.def.vcpu.max) delete d.def.vcpu.current;
      await s.saveState(d);
    }
    if (config) await s.updateConfig(d, (def) => { def.vcpu.current = nvcpus; if (nvcpus === def.vcpu.max) delete def.vcpu.current; });
  });
}

/**
 * Plug vCPUs into QEMU's free slots, lowest first, or unplug the highest hot-plugged ones,
 * until `count` are present. QEMU 7.2 (TCG) exits when a vCPU is plugged back into a slot
 * it unplugged, taking the guest down: the slots it unplugged, listed in `unpluggedFile`
 * (in the domain's run folder, gone when QEMU stops), stay empty until the domain restarts.
 */
async function plugVcpus(qmp: QmpClient, unpluggedFile: string, count: number): Promise<void> {
  const unplugged = new Set((await fs.readFile(unpluggedFile, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  const slots = (await qmp.execute<HotpluggableCpu[]>('query-hotpluggable-cpus'))
    .sort((a, b) => (a.props['socket-id'] ?? 0) - (b.props['socket-id'] ?? 0) || (a.props['core-id'] ?? 0) - (b.props['core-id'] ?? 0) || (a.props['thread-id'] ?? 0) - (b.props['thread-id'] ?? 0));
  let present = slots.filter((c) => c['qom-path']).length;
  for (const [i, slot] of slots.entries()) {
    if (present >= count) break;
    if (slot['qom-path'] || unplugged.has(`vcpu${i}`)) continue;
    await qmp.execute('device_add', { driver: slot.type, id: `vcpu${i}`, ...slot.props });
    present++;
  }
  // Only what was plugged by id (/machine/peripheral/vcpuN) can leave; the boot vCPUs cannot.
  for (const slot of slots.filter((c) => c['qom-path']?.startsWith('/machine/peripheral/')).reverse()) {
    if (present <= count) break;
    const id = slot['qom-path']!.split('/').pop()!;
    // the guest may still let it go after the wait: the slot counts as used from the request on
    await fs.appendFile(unpluggedFile, `${id}\n`, { mode: 0o600 });
    await removeDevice(qmp, id, 'vcpu unplug request timed out. Unplug result must be manually inspected in the domain');
    present--;
  }
  if (present > count) throw qemuError(ErrorNumber.OPERATION_INVALID, `cannot unplug the vCPUs the guest booted with: ${present} stay online`);
  if (present < count) {
    throw qemuError(ErrorNumber.OPERATION_UNSUPPORTED, `only ${present} vCPUs can be online until the domain restarts: QEMU cannot plug a vCPU back into a slot it unplugged`);
  }
}

/** vcpucount: the maximum or the online count, of the live or the persistent definition. */
export function getVcpuCount(s: QemuDriverState, ref: DomainRef, flags: number): number {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'qemuDomainGetVcpusFlags');
  const { live, config } = s.dom(ref).affectedDefs(flags & (Vcpu.LIVE | Vcpu.CONFIG));
  const def = (live ?? config)!;
  return flags & Vcpu.MAXIMUM ? def.vcpu.max : def.vcpu.current ?? def.vcpu.max;
}
