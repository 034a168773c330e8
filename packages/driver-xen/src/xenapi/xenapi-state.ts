// The state behind a xenapi:// connection: its XenAPI client, the VM references it
// has resolved, and its event listeners.

import { ErrorNumber } from '@tsvirt/core';
import { DomainEvents, type DomainRef } from '@tsvirt/core/driver';
import type { XenApiClient } from './xenapi-client.js';
import { XenApiFailure, xenapiError } from './xenapi-errors.js';
import { isDomain, vmRecordOf, type VmRecord } from './xenapi-vm.js';

/** The most VMs one listing may hold: more than any pool has. */
const MAX_VMS = 100_000;

export class XenApiState {
  readonly events = new DomainEvents();
  /** VM references by UUID: a reference stays the same for the VM's lifetime */
  readonly #refs = new Map<string, string>();
  closed = false;
  /** the stop detail a call of this connection expects for a VM (destroy vs shutdown), for its event */
  readonly expectedStop = new Map<string, number>();

  constructor(readonly uri: string, readonly client: XenApiClient) {}

  /** Every VM record of the pool (templates and snapshots included). */
  async allVms(): Promise<VmRecord[]> {
    const all = await this.client.call('VM.get_all_records');
    if (!all || typeof all !== 'object' || Array.isArray(all)) throw xenapiError(ErrorNumber.RPC, 'VM.get_all_records: the XenAPI host sent no records');
    const entries = Object.entries(all as Record<string, unknown>);
    if (entries.length > MAX_VMS) throw xenapiError(ErrorNumber.RPC, `VM.get_all_records: more than ${MAX_VMS} VMs`);
    const vms = entries.map(([ref, rec]) => vmRecordOf(ref, rec));
    for (const vm of vms) this.#refs.set(vm.uuid, vm.ref);
    return vms;
  }

  async domains(): Promise<VmRecord[]> {
    return (await this.allVms()).filter(isDomain);
  }

  async record(ref: string): Promise<VmRecord> {
    return vmRecordOf(ref, await this.client.call('VM.get_record', [ref]));
  }

  /** The VM a domain reference names, found by its UUID (a VM renamed since is still found). */
  async vm(d: { readonly uuid: string; readonly name: string }): Promise<VmRecord> {
    const cached = this.#refs.get(d.uuid);
    if (cached) {
      try {
        return await this.record(cached);
      } catch (e) {
        if (!(e instanceof XenApiFailure && e.xenapiName === 'HANDLE_INVALID')) throw e;
        this.#refs.delete(d.uuid);
      }
    }
    let ref: unknown;
    try {
      ref = await this.client.call('VM.get_by_uuid', [d.uuid]);
    } catch (e) {
      if (e instanceof XenApiFailure && (e.xenapiName === 'UUID_INVALID' || e.xenapiName === 'HANDLE_INVALID')) throw noDomain(`no domain with matching uuid '${d.uuid}' (${d.name})`);
      throw e;
    }
    if (typeof ref !== 'string') throw xenapiError(ErrorNumber.RPC, 'VM.get_by_uuid: the XenAPI host sent no reference');
    const vm = await this.record(ref);
    if (!isDomain(vm)) throw noDomain(`no domain with matching uuid '${d.uuid}' (${d.name})`);
    this.#refs.set(vm.uuid, vm.ref);
    return vm;
  }

  /** Call a VM method on the VM a reference names. */
  async onVm(d: DomainRef, method: string, ...args: unknown[]): Promise<VmRecord> {
    const vm = await this.vm(d);
    await this.client.call(method, [vm.ref, ...args]);
    return vm;
  }
}

export const noDomain = (info: string) => xenapiError(ErrorNumber.NO_DOMAIN, info);
