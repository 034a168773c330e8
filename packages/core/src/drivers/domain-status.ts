import { readFileSync } from 'node:fs';
import type { DomainInfo, DomainStateInfo } from '../gen/api.gen.js';
import type { DomainRef } from '../gen/driver.gen.js';

/**
 * Where a domain's CPU time comes from. It changes all the time, so a status record
 * names its source and whoever answers a getInfo reads it then: the mock's wall clock,
 * a guest process's /proc entry, or nothing (a stopped guest has used none).
 */
export type CpuTimeSource = { clock: 'wall' } | { clock: 'process'; pid: number } | { clock: 'none' };

/**
 * What a domain's lookups, virDomainGetInfo and virDomainGetState answer, as one plain
 * record. A driver that can give it (see StatusReportingDriver) answers those calls
 * from it, and tsvirtd publishes it for its local clients (published-domain-status.ts),
 * so that both answer alike.
 */
export interface DomainStatus {
  name: string;
  uuid: string;
  id: number;
  state: number;
  reason: number;
  maxMem: number;
  memory: number;
  nrVirtCpu: number;
  cpuTime: CpuTimeSource;
}

/** A driver whose domains' status is a DomainStatus, read without a hypervisor round trip. */
export interface StatusReportingDriver {
  domainStatus(ref: DomainRef): DomainStatus;
}

export const reportsDomainStatus = (driver: object): driver is StatusReportingDriver =>
  typeof (driver as Partial<StatusReportingDriver>).domainStatus === 'function';

/** The mock hypervisor's CPU time: the wall clock in nanoseconds, as libvirt's test driver gives. */
export const wallClockNs = (): number => Date.now() * 1e6;

/** User plus system time from /proc/PID/stat (fields 14 and 15, in 100 Hz ticks) in nanoseconds; 0 when it cannot be read. */
export function processCpuTimeNs(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return 0;
  }
  return statCpuTimeNs(statFieldsAfterName(text));
}

/** The fields of a /proc stat line after the command name, which may itself hold spaces and parentheses. */
export const statFieldsAfterName = (text: string): string[] => text.slice(text.lastIndexOf(')') + 2).split(' ');

/** utime + stime of stat fields (as statFieldsAfterName gives them) in nanoseconds. */
export const statCpuTimeNs = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) * 10_000_000;

export function cpuTimeNow(source: CpuTimeSource): number {
  switch (source.clock) {
    case 'wall': return wallClockNs();
    case 'process': return processCpuTimeNs(source.pid);
    default: return 0;
  }
}

export const domainInfoOf = (s: DomainStatus): DomainInfo => ({
  state: s.state as DomainInfo['state'], maxMem: s.maxMem, memory: s.memory, nrVirtCpu: s.nrVirtCpu, cpuTime: cpuTimeNow(s.cpuTime),
});

export const domainStateOf = (s: DomainStatus): DomainStateInfo => ({ state: s.state as DomainStateInfo['state'], reason: s.reason });

export const domainRefOf = (s: DomainStatus): DomainRef => ({ name: s.name, uuid: s.uuid, id: s.id });
