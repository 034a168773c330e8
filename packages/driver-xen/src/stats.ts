// Domain info and state, and block and interface statistics as libvirt's libxl
// driver reads them: the block backend's counters in sysfs
// (/sys/bus/xen-backend/devices/vbd-DOMID-DEVID/statistics) and the vif's in /proc/net/dev.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorNumber, type DomainBlockStats, type DomainInfo, type DomainInterfaceStats, type DomainStateInfo } from '@tsvirt/core';
import { guestSideCounters, type DomainRef } from '@tsvirt/core/driver';
import { diskNameToIndex, type DiskDef, type InterfaceDef } from '@tsvirt/core/xml';
import type { XenDriverState } from './driver-state.js';
import { runningDom } from './lifecycle.js';
import { checkFlags, xenError } from './xen-errors.js';

export async function domainInfo(s: XenDriverState, ref: DomainRef): Promise<DomainInfo> {
  const d = await s.dom(ref);
  const def = d.def;
  return { state: d.state as DomainInfo['state'], maxMem: def.memory, memory: d.active ? def.currentMemory ?? def.memory : 0, nrVirtCpu: def.vcpu.current ?? def.vcpu.max, cpuTime: 0 };
}

export async function domainState(s: XenDriverState, ref: DomainRef, flags: number): Promise<DomainStateInfo> {
  checkFlags(flags, 0, 'libxlDomainGetState');
  const d = await s.dom(ref);
  return { state: d.state as DomainStateInfo['state'], reason: d.reason };
}

/** Xen's virtual device number of a disk target (xvda: 51712), as the block backend names it. */
export function xenDeviceId(target: string): number {
  const index = diskNameToIndex(target);
  if (index < 0) return -1;
  if (target.startsWith('xvd')) return index < 16 ? (202 << 8) | (index << 4) : (1 << 28) | (index << 8);
  if (target.startsWith('sd') && index < 16) return (8 << 8) | (index << 4);
  if (target.startsWith('hd') && index < 4) return ([3, 3, 22, 22][index] << 8) | ((index % 2) << 6);
  return -1;
}

/** One counter file of the block backend; a value that is not a number is not trusted. */
async function counter(dir: string, name: string): Promise<number> {
  const text = (await fs.readFile(path.join(dir, name), 'utf8')).trim();
  if (!/^\d{1,20}$/.test(text)) throw xenError(ErrorNumber.INTERNAL_ERROR, `unexpected value in ${path.join(dir, name)}`);
  return Number(text);
}

export async function blockStats(s: XenDriverState, ref: DomainRef, disk: string): Promise<DomainBlockStats> {
  const d = await runningDom(s, ref);
  const dev = d.def.devices.find((x): x is DiskDef => x.kind === 'disk' && (x.target.dev === disk || x.source?.file === disk || x.source?.dev === disk));
  if (!dev) throw xenError(ErrorNumber.INVALID_ARG, `invalid path: ${disk}`);
  const devid = xenDeviceId(dev.target.dev);
  if (devid < 0) throw xenError(ErrorNumber.OPERATION_UNSUPPORTED, `cannot get statistics of disk ${dev.target.dev}`);
  const dir = path.join(s.options.sysRoot ?? '/', 'sys/bus/xen-backend/devices', `vbd-${d.id}-${devid}`, 'statistics');
  try {
    const [rdReq, rdSect, wrReq, wrSect, ooReq] = await Promise.all(['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'oo_req'].map((n) => counter(dir, n)));
    return { rdReq, rdBytes: rdSect * 512, wrReq, wrBytes: wrSect * 512, errs: ooReq };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw xenError(ErrorNumber.OPERATION_FAILED, `cannot read statistics of disk ${dev.target.dev}: ${dir} is missing`);
    throw e;
  }
}

export async function interfaceStats(s: XenDriverState, ref: DomainRef, device: string): Promise<DomainInterfaceStats> {
  const d = await runningDom(s, ref);
  const nics = d.def.devices.filter((x): x is InterfaceDef => x.kind === 'interface');
  // the backend device of NIC n is vifDOMID.n (unless the definition names its own)
  const index = nics.findIndex((n, i) => n.targetDev === device || n.mac === device.toLowerCase() || `vif${d.id}.${i}` === device);
  if (index < 0) throw xenError(ErrorNumber.INVALID_ARG, `invalid path, '${device}' is not a known interface`);
  const hostDev = nics[index].targetDev ?? `vif${d.id}.${index}`;
  const counters = guestSideCounters(await fs.readFile(path.join(s.options.sysRoot ?? '/', 'proc/net/dev'), 'utf8'), hostDev);
  if (!counters) throw xenError(ErrorNumber.INTERNAL_ERROR, `Interface '${hostDev}' not found`);
  return counters;
}
