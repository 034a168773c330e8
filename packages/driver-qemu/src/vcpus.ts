// vCPUs: their threads as QEMU reports them, and pinning to host CPUs.

import { availableParallelism } from 'node:os';
import { DomainDeviceModifyFlags as DeviceModify, DomainVcpuFlags as Vcpu, ErrorNumber, type VcpuInfo, type VcpuPin } from '@tsvirt/core';
import { modificationImpact, type DomainRef } from '@tsvirt/core/driver';
import { formatIdList } from '@tsvirt/core/xml';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, qemuError, viaMonitor } from './qemu-errors.js';
import { pinVcpuThread, queryVcpus } from './qemu-live-queries.js';
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

/** vcpucount: the maximum or the online count, of the live or the persistent definition. */
export function getVcpuCount(s: QemuDriverState, ref: DomainRef, flags: number): number {
  checkFlags(flags, Vcpu.LIVE | Vcpu.CONFIG | Vcpu.MAXIMUM, 'qemuDomainGetVcpusFlags');
  const { live, config } = s.dom(ref).affectedDefs(flags & (Vcpu.LIVE | Vcpu.CONFIG));
  const def = (live ?? config)!;
  return flags & Vcpu.MAXIMUM ? def.vcpu.max : def.vcpu.current ?? def.vcpu.max;
}
