import {
  DomainControlState, DomainMemoryStatTags as Tag,
  DomainModificationImpact as Impact, ErrorDomain, ErrorNumber, VirError, type DomainBlockInfo,
  type DomainBlockStats, type DomainControlInfo, type DomainInfo, type DomainInterfaceStats, type DomainStateInfo, type DomainStatsRecord,
  type MemoryStat, type SchedulerType, type TypedParams,
} from '@tsvirt/core';
import { collectDomainStats, findInterface, stateStatsGroup, type DomainTable } from '@tsvirt/core/driver';
import type { DiskDef } from '@tsvirt/core/xml';
import type { TestDomain } from './test-domain.js';
import { checkFlags, notRunning } from './test-errors.js';

// The statistics of the mock hypervisor: made up, as libvirt's test driver makes them
// up, from the wall clock (counters that grow) or from fixed values.

const invalidArg = (info: string) => VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.TEST, info);

/** Microseconds since the epoch, and whole seconds: the base of every growing counter. */
function clock(): { us: number; sec: number } {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return { us, sec: Math.floor(us / 1e6) };
}

/** CPU time a running vCPU or domain has used, in nanoseconds. */
export const cpuTimeNs = () => Math.floor(clock().us / 10);

function runningOrFail(d: TestDomain): void {
  if (!d.active) throw notRunning();
}

/** A disk named by its target (vda) or its source path. */
export function findDisk(d: TestDomain, name: string): DiskDef | undefined {
  for (const dev of d.def.devices) {
    if (dev.kind === 'disk' && (dev.target.dev === name || (dev.source && Object.values(dev.source).includes(name)))) return dev;
  }
  return undefined;
}

export function blockStats(d: TestDomain, disk: string): DomainBlockStats {
  // an empty path asks for the sum over all disks, which libvirt's test driver does not do
  if (disk === '') throw VirError.of(ErrorNumber.OPERATION_UNSUPPORTED, ErrorDomain.TEST, 'summary statistics are not supported yet');
  runningOrFail(d);
  if (!findDisk(d, disk)) throw invalidArg(`invalid path: ${disk}`);
  const { us, sec } = clock();
  return { rdReq: Math.floor(us / 10), rdBytes: Math.floor(us / 20), wrReq: us, wrBytes: Math.floor(us / 10), errs: Math.floor(sec / 2) };
}

export function interfaceStats(d: TestDomain, device: string): DomainInterfaceStats {
  runningOrFail(d);
  findInterface(d.def, device);
  const { us, sec } = clock();
  return {
    rxBytes: Math.floor(us / 10), rxPackets: Math.floor(us / 100), rxErrs: sec, rxDrop: Math.floor(sec / 2),
    txBytes: Math.floor(us / 20), txPackets: Math.floor(us / 110), txErrs: Math.floor(sec / 3), txDrop: Math.floor(sec / 4),
  };
}

/** The fixed instant the test driver's guests report as their clock and last memory update. */
export const TEST_GUEST_TIME = 627319920;

export function memoryStats(d: TestDomain, flags: number): MemoryStat[] {
  checkFlags(flags, 0, 'testDomainMemoryStats');
  runningOrFail(d);
  const stat = (tag: number, val: number): MemoryStat => ({ tag: tag as MemoryStat['tag'], val });
  return [
    stat(Tag.ACTUAL_BALLOON, d.def.currentMemory), stat(Tag.SWAP_IN, 0), stat(Tag.SWAP_OUT, 0), stat(Tag.MAJOR_FAULT, 0),
    stat(Tag.MINOR_FAULT, 0), stat(Tag.UNUSED, 1048576), stat(Tag.AVAILABLE, 2097152), stat(Tag.USABLE, 1048576),
    stat(Tag.LAST_UPDATE, TEST_GUEST_TIME), stat(Tag.DISK_CACHES, 262144), stat(Tag.HUGETLB_PGALLOC, 0),
    stat(Tag.HUGETLB_PGFAIL, 0), stat(Tag.RSS, 1048576),
  ];
}

export function blockInfo(d: TestDomain, disk: string, flags: number): DomainBlockInfo {
  checkFlags(flags, 0, 'testDomainGetBlockInfo');
  const found = findDisk(d, disk);
  if (!found) throw invalidArg(`invalid path ${disk} not assigned to domain`);
  if (found.type === 'network') {
    throw VirError.of(ErrorNumber.OPERATION_UNSUPPORTED, ErrorDomain.TEST, `operation not supported for network disk '${disk}'`);
  }
  return { capacity: 1099506450432, allocation: 1099511627776, physical: 1099511627776 };
}

export function controlInfo(d: TestDomain, flags: number): DomainControlInfo {
  checkFlags(flags, 0, 'testDomainGetControlInfo');
  runningOrFail(d);
  return { state: DomainControlState.OK, details: 0, stateTime: 0 };
}

/** The test driver has one scheduler, "fair", with one parameter that it reports and never changes. */
export const schedulerType = (): SchedulerType => ({ type: 'fair', nparams: 1 });
export const schedulerParameters = (): TypedParams => ({ weight: 50 });

export function checkSchedulerParameters(params: TypedParams, flags: number): void {
  checkFlags(flags, Impact.LIVE | Impact.CONFIG, 'testDomainSetSchedulerParametersFlags');
  for (const [name, value] of Object.entries(params)) {
    if (name !== 'weight') throw invalidArg(`parameter '${name}' not supported`);
    if (typeof value !== 'number') throw invalidArg(`invalid type for parameter '${name}', expected 'uint'`);
  }
}

/** CPU time is the wall clock, as in libvirt's test driver. */
export function domainInfo(d: TestDomain): DomainInfo {
  const def = d.def;
  return { state: d.state as DomainInfo['state'], maxMem: def.memory, memory: def.currentMemory, nrVirtCpu: def.vcpu.current ?? def.vcpu.max, cpuTime: Date.now() * 1e6 };
}

export function domainState(d: TestDomain, flags: number): DomainStateInfo {
  checkFlags(flags, 0, 'testDomainGetState');
  return { state: d.state as DomainStateInfo['state'], reason: d.reason };
}

/** Statistics of the domains the filters choose; the mock has the state group only, as libvirt's test driver. */
export function allDomainStats(domains: DomainTable<TestDomain>, types: number, flags: number): Promise<DomainStatsRecord[]> {
  return collectDomainStats(domains, types, flags, [stateStatsGroup], 'testConnectGetAllDomainStats', ErrorDomain.TEST);
}
