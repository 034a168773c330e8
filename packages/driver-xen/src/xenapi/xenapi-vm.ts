// XenAPI's VM records as libvirt's domains: identity, state, resources and a domain
// XML. A record comes from the network: every field is checked and bounded before use.

import { DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber, type DomainStateInfo } from '@tsvirt/core';
import { normalizeUuid, type DomainRef } from '@tsvirt/core/driver';
import { escapeXml } from '@tsvirt/core/xml';
import { xenapiError } from './xenapi-errors.js';

export type PowerState = 'Halted' | 'Paused' | 'Running' | 'Suspended';

export interface VmRecord {
  ref: string;
  uuid: string;
  name: string;
  description: string;
  powerState: PowerState;
  domid: number;
  isTemplate: boolean;
  isSnapshot: boolean;
  isControlDomain: boolean;
  /** bytes */
  memoryStaticMax: number;
  memoryDynamicMax: number;
  memoryDynamicMin: number;
  vcpusMax: number;
  vcpusAtStartup: number;
  metrics: string;
  hvm: boolean;
  actionsAfterShutdown: string;
  actionsAfterReboot: string;
  actionsAfterCrash: string;
  /** a snapshot's VM, and when it was taken */
  snapshotOf: string;
  snapshotTime: string;
  snapshots: string[];
}

const POWER_STATES: readonly string[] = ['Halted', 'Paused', 'Running', 'Suspended'];
const MAX_TEXT = 4096;

const bad = (what: string) => xenapiError(ErrorNumber.RPC, `the XenAPI host sent a VM record with ${what}`);

/** A XenAPI int: a number over JSON-RPC, a string over XML-RPC. */
export function xenInt(v: unknown, what: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,19}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw bad(`a bad ${what}`);
  return n;
}

const text = (v: unknown, what: string, fallback = ''): string => {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw bad(`a bad ${what}`);
  return v;
};

const flag = (v: unknown): boolean => v === true || v === '1' || v === 'true';

/** One VM record from get_record / get_all_records / an event's snapshot. */
export function vmRecordOf(ref: string, raw: unknown): VmRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('no fields');
  const r = raw as Record<string, unknown>;
  const uuid = normalizeUuid(text(r.uuid, 'uuid'));
  if (!uuid) throw bad('a bad uuid');
  const powerState = text(r.power_state, 'power_state');
  if (!POWER_STATES.includes(powerState)) throw bad(`power state '${powerState.slice(0, 20)}'`);
  const snapshots = r.snapshots === undefined ? [] : r.snapshots;
  if (!Array.isArray(snapshots) || snapshots.length > 10_000 || !snapshots.every((s) => typeof s === 'string' && s.length < 256)) throw bad('bad snapshots');
  return {
    ref, uuid,
    name: text(r.name_label, 'name_label'),
    description: text(r.name_description, 'name_description'),
    powerState: powerState as PowerState,
    domid: powerState === 'Halted' || powerState === 'Suspended' ? -1 : xenInt(r.domid, 'domid', -1),
    isTemplate: flag(r.is_a_template),
    isSnapshot: flag(r.is_a_snapshot),
    isControlDomain: flag(r.is_control_domain),
    memoryStaticMax: xenInt(r.memory_static_max, 'memory_static_max', 0),
    memoryDynamicMax: xenInt(r.memory_dynamic_max, 'memory_dynamic_max', 0),
    memoryDynamicMin: xenInt(r.memory_dynamic_min, 'memory_dynamic_min', 0),
    vcpusMax: xenInt(r.VCPUs_max, 'VCPUs_max', 1),
    vcpusAtStartup: xenInt(r.VCPUs_at_startup, 'VCPUs_at_startup', 1),
    metrics: text(r.metrics, 'metrics', 'OpaqueRef:NULL'),
    hvm: text(r.domain_type, 'domain_type') === 'hvm' || text(r.HVM_boot_policy, 'HVM_boot_policy') !== '',
    actionsAfterShutdown: text(r.actions_after_shutdown, 'actions_after_shutdown', 'destroy'),
    actionsAfterReboot: text(r.actions_after_reboot, 'actions_after_reboot', 'restart'),
    actionsAfterCrash: text(r.actions_after_crash, 'actions_after_crash', 'restart'),
    snapshotOf: text(r.snapshot_of, 'snapshot_of', 'OpaqueRef:NULL'),
    snapshotTime: text(r.snapshot_time, 'snapshot_time', ''),
    snapshots: snapshots as string[],
  };
}

/** A domain as libvirt lists it: not a template, not a snapshot. */
export const isDomain = (vm: VmRecord): boolean => !vm.isTemplate && !vm.isSnapshot;

export const domainRefOf = (vm: VmRecord): DomainRef => ({ name: vm.name, uuid: vm.uuid, id: vm.domid });

export function domainStateOf(vm: VmRecord): DomainStateInfo {
  switch (vm.powerState) {
    case 'Running': return { state: DomainState.RUNNING, reason: DomainRunningReason.UNKNOWN };
    case 'Paused': return { state: DomainState.PAUSED, reason: DomainPausedReason.UNKNOWN };
    case 'Suspended': return { state: DomainState.SHUTOFF, reason: DomainShutoffReason.SAVED };
    default: return { state: DomainState.SHUTOFF, reason: DomainShutoffReason.UNKNOWN };
  }
}

export const isActive = (vm: VmRecord): boolean => vm.powerState === 'Running' || vm.powerState === 'Paused';

/** XenAPI's after-shutdown actions in libvirt's words. */
const LIFECYCLE_ACTION: Readonly<Record<string, string>> = {
  destroy: 'destroy', restart: 'restart', preserve: 'preserve', rename_restart: 'rename-restart', coredump_and_destroy: 'coredump-destroy',
  coredump_and_restart: 'coredump-restart', soft_reboot: 'restart',
};

/** The domain XML of a VM record: what XenAPI says of identity, memory, vCPUs, OS type and lifecycle actions. */
export function domainXmlOf(vm: VmRecord): string {
  const kib = (bytes: number) => Math.floor(bytes / 1024);
  const action = (a: string) => LIFECYCLE_ACTION[a] ?? 'destroy';
  return `<domain type='xen'${isActive(vm) ? ` id='${vm.domid}'` : ''}>
  <name>${escapeXml(vm.name)}</name>
  <uuid>${vm.uuid}</uuid>${vm.description ? `\n  <description>${escapeXml(vm.description)}</description>` : ''}
  <memory unit='KiB'>${kib(vm.memoryStaticMax)}</memory>
  <currentMemory unit='KiB'>${kib(vm.memoryDynamicMax)}</currentMemory>
  <vcpu placement='static'${vm.vcpusAtStartup < vm.vcpusMax ? ` current='${vm.vcpusAtStartup}'` : ''}>${vm.vcpusMax}</vcpu>
  <os>
    <type>${vm.hvm ? 'hvm' : 'xen'}</type>
  </os>
  <on_poweroff>${action(vm.actionsAfterShutdown)}</on_poweroff>
  <on_reboot>${action(vm.actionsAfterReboot)}</on_reboot>
  <on_crash>${action(vm.actionsAfterCrash)}</on_crash>
</domain>
`;
}
