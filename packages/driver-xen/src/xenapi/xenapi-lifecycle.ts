// Lookups, power operations, memory and vCPUs of XenAPI VMs. XenAPI refuses what a
// VM's state does not allow (VM_BAD_POWER_STATE): its refusal is the answer.

import {
  DomainCreateFlags, DomainEventStoppedDetailType as Stopped, DomainXMLFlags, ErrorDomain, ErrorNumber, type DomainInfo, type DomainStateInfo,
} from '@tsvirt/core';
import { checkFlags, takeHandleId, type DomainRef } from '@tsvirt/core/driver';
import { formatDomainXml, parseDomainXml } from '@tsvirt/core/xml';
import { xenapiError } from './xenapi-errors.js';
import { noDomain, type XenApiState } from './xenapi-state.js';
import { domainRefOf, domainStateOf, domainXmlOf, isActive, isDomain, xenInt, type VmRecord } from './xenapi-vm.js';

const check = (flags: number, supported: number, fn: string) => checkFlags(flags, supported, fn, ErrorDomain.XENAPI);

export async function listAll(s: XenApiState, flags: number, matches: (vm: VmRecord) => boolean): Promise<DomainRef[]> {
  return (await s.domains()).filter(matches).map(domainRefOf);
}

export async function lookupByName(s: XenApiState, name: string): Promise<DomainRef> {
  const found = (await s.domains()).filter((vm) => vm.name === name);
  if (found.length === 0) throw noDomain(`no domain with matching name '${name}'`);
  // XenAPI's names need not be unique; libvirt's must
  if (found.length > 1) throw noDomain(`domain name '${name}' is not unique: use its UUID`);
  return domainRefOf(found[0]);
}

export async function lookupByUuid(s: XenApiState, uuid: string): Promise<DomainRef> {
  return domainRefOf(await s.vm({ uuid, name: uuid }));
}

export async function lookupById(s: XenApiState, id: number): Promise<DomainRef> {
  const vm = id >= 0 ? (await s.domains()).find((v) => v.domid === id && isActive(v)) : undefined;
  if (!vm) throw noDomain(`no domain with matching id ${id}`);
  return domainRefOf(vm);
}

/** The VM's memory in use and CPU time, from its metrics object. */
async function metricsOf(s: XenApiState, vm: VmRecord): Promise<{ memory: number; vcpus: number }> {
  if (!isActive(vm) || vm.metrics === 'OpaqueRef:NULL') return { memory: vm.memoryDynamicMax, vcpus: vm.vcpusAtStartup };
  const m = (await s.client.call('VM_metrics.get_record', [vm.metrics])) as Record<string, unknown> | null;
  return { memory: xenInt(m?.memory_actual, 'memory_actual', vm.memoryDynamicMax), vcpus: xenInt(m?.VCPUs_number, 'VCPUs_number', vm.vcpusAtStartup) };
}

export async function domainInfo(s: XenApiState, ref: DomainRef): Promise<DomainInfo> {
  const vm = await s.vm(ref);
  const m = await metricsOf(s, vm);
  return { state: domainStateOf(vm).state, maxMem: Math.floor(vm.memoryStaticMax / 1024), memory: Math.floor(m.memory / 1024), nrVirtCpu: m.vcpus, cpuTime: 0 };
}

export async function domainState(s: XenApiState, ref: DomainRef, flags: number): Promise<DomainStateInfo> {
  check(flags, 0, 'xenapiDomainGetState');
  return domainStateOf(await s.vm(ref));
}

export async function domainXml(s: XenApiState, ref: DomainRef, flags: number): Promise<string> {
  check(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE, 'xenapiDomainGetXMLDesc');
  const vm = await s.vm(ref);
  // through core's model, so that the document is libvirt's canonical form
  const def = parseDomainXml(domainXmlOf(vm));
  const inactive = !isActive(vm) || (flags & DomainXMLFlags.INACTIVE) !== 0;
  return formatDomainXml(def, { id: inactive ? undefined : vm.domid, inactive, secure: (flags & DomainXMLFlags.SECURE) !== 0 });
}

export async function createDomain(s: XenApiState, ref: DomainRef, flags: number): Promise<void> {
  check(flags, DomainCreateFlags.START_PAUSED, 'xenapiDomainCreateWithFlags');
  const vm = await s.onVm(ref, 'VM.start', (flags & DomainCreateFlags.START_PAUSED) !== 0, false);
  takeHandleId(ref, { id: (await s.record(vm.ref)).domid });
}

/** A stop this connection asks for: its event says which kind (shutdown or destroy). */
async function stopDomain(s: XenApiState, ref: DomainRef, method: string, detail: number): Promise<void> {
  const vm = await s.vm(ref);
  s.expectedStop.set(vm.uuid, detail);
  await s.client.call(method, [vm.ref]);
  takeHandleId(ref, { id: -1 });
}

export async function shutdownDomain(s: XenApiState, ref: DomainRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainShutdownFlags');
  await stopDomain(s, ref, 'VM.clean_shutdown', Stopped.SHUTDOWN);
}

export async function destroyDomain(s: XenApiState, ref: DomainRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainDestroyFlags');
  await stopDomain(s, ref, 'VM.hard_shutdown', Stopped.DESTROYED);
}

export async function rebootDomain(s: XenApiState, ref: DomainRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainReboot');
  await s.onVm(ref, 'VM.clean_reboot');
}

export async function resetDomain(s: XenApiState, ref: DomainRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainReset');
  await s.onVm(ref, 'VM.hard_reboot');
}

export const suspendDomain = (s: XenApiState, ref: DomainRef) => s.onVm(ref, 'VM.pause').then(() => undefined);
export const resumeDomain = (s: XenApiState, ref: DomainRef) => s.onVm(ref, 'VM.unpause').then(() => undefined);

export const maxMemory = async (s: XenApiState, ref: DomainRef): Promise<number> => Math.floor((await s.vm(ref)).memoryStaticMax / 1024);

/** KiB from libvirt, bytes for XenAPI, checked so that the product stays an exact integer. */
function bytesOf(kib: number): number {
  if (!Number.isSafeInteger(kib) || kib <= 0 || kib > 2 ** 40) throw xenapiError(ErrorNumber.INVALID_ARG, `memory size ${kib} KiB out of range`);
  return kib * 1024;
}

export async function setMaxMemory(s: XenApiState, ref: DomainRef, kib: number): Promise<void> {
  await s.onVm(ref, 'VM.set_memory_static_max', bytesOf(kib));
}

/** The balloon target: XenAPI's dynamic range pinned to one size. */
export async function setMemory(s: XenApiState, ref: DomainRef, kib: number, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainSetMemoryFlags');
  const bytes = bytesOf(kib);
  await s.onVm(ref, 'VM.set_memory_dynamic_range', bytes, bytes);
}

export async function setVcpus(s: XenApiState, ref: DomainRef, n: number, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainSetVcpusFlags');
  if (!Number.isSafeInteger(n) || n < 1 || n > 4096) throw xenapiError(ErrorNumber.INVALID_ARG, `vCPU count ${n} out of range`);
  const vm = await s.vm(ref);
  await s.client.call(isActive(vm) ? 'VM.set_VCPUs_number_live' : 'VM.set_VCPUs_at_startup', [vm.ref, n]);
}

export const maxVcpus = async (s: XenApiState, ref: DomainRef): Promise<number> => (await s.vm(ref)).vcpusMax;

export { isActive, isDomain };
