// Domain snapshots as XenAPI's VM snapshots (VM.snapshot, VM.revert, VM.destroy).

import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import { checkFlags, type DomainRef, type DomainSnapshotRef } from '@tsvirt/core/driver';
import { childText, escapeXml, parseXmlDocument } from '@tsvirt/core/xml';
import { xenapiError } from './xenapi-errors.js';
import { lookupByName } from './xenapi-lifecycle.js';
import type { XenApiState } from './xenapi-state.js';
import { domainStateOf, vmRecordOf, type VmRecord } from './xenapi-vm.js';

const check = (flags: number, supported: number, fn: string) => checkFlags(flags, supported, fn, ErrorDomain.XENAPI);
const noSnapshot = (name: string) => xenapiError(ErrorNumber.NO_DOMAIN_SNAPSHOT, `no domain snapshot with matching name '${name}'`);

async function snapshotsOf(s: XenApiState, vm: VmRecord): Promise<VmRecord[]> {
  return Promise.all(vm.snapshots.map(async (ref) => vmRecordOf(ref, await s.client.call('VM.get_record', [ref]))));
}

const refOf = (snap: VmRecord, domain: string): DomainSnapshotRef => ({ name: snap.name, domain });

export async function createSnapshot(s: XenApiState, ref: DomainRef, xml: string, flags: number): Promise<DomainSnapshotRef> {
  check(flags, 0, 'xenapiDomainSnapshotCreateXML');
  const root = parseXmlDocument(xml, 'domainsnapshot', ErrorDomain.DOMAIN_SNAPSHOT);
  if (root.name !== 'domainsnapshot') throw xenapiError(ErrorNumber.XML_ERROR, `expecting root element of 'domainsnapshot', not '${root.name}'`);
  const name = childText(root, 'name') ?? String(Math.floor(Date.now() / 1000));
  const vm = await s.vm(ref);
  await s.client.call('VM.snapshot', [vm.ref, name]);
  return refOf({ ...vm, name }, vm.name);
}

export async function listSnapshots(s: XenApiState, ref: DomainRef, flags: number): Promise<DomainSnapshotRef[]> {
  check(flags, 0, 'xenapiDomainListAllSnapshots');
  const vm = await s.vm(ref);
  return (await snapshotsOf(s, vm)).map((snap) => refOf(snap, vm.name));
}

async function findSnapshot(s: XenApiState, snap: DomainSnapshotRef): Promise<{ vm: VmRecord; snapshot: VmRecord }> {
  const vm = await s.vm(await lookupByName(s, snap.domain));
  const found = (await snapshotsOf(s, vm)).find((x) => x.name === snap.name);
  if (!found) throw noSnapshot(snap.name);
  return { vm, snapshot: found };
}

export async function lookupSnapshot(s: XenApiState, ref: DomainRef, name: string, flags: number): Promise<DomainSnapshotRef> {
  check(flags, 0, 'xenapiDomainSnapshotLookupByName');
  return refOf((await findSnapshot(s, { name, domain: ref.name })).snapshot, ref.name);
}

export async function snapshotXml(s: XenApiState, snap: DomainSnapshotRef, flags: number): Promise<string> {
  check(flags, 0, 'xenapiDomainSnapshotGetXMLDesc');
  const { vm, snapshot } = await findSnapshot(s, snap);
  const state = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff'][domainStateOf(snapshot).state] ?? 'shutoff';
  return `<domainsnapshot>
  <name>${escapeXml(snapshot.name)}</name>
  <state>${state}</state>
  <creationTime>${Math.floor(Date.parse(snapshot.snapshotTime.replace(/^(\d{4})(\d{2})(\d{2})T/, '$1-$2-$3T')) / 1000) || 0}</creationTime>
  <domain>
    <uuid>${vm.uuid}</uuid>
  </domain>
</domainsnapshot>
`;
}

export async function revertSnapshot(s: XenApiState, snap: DomainSnapshotRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainRevertToSnapshot');
  await s.client.call('VM.revert', [(await findSnapshot(s, snap)).snapshot.ref]);
}

export async function deleteSnapshot(s: XenApiState, snap: DomainSnapshotRef, flags: number): Promise<void> {
  check(flags, 0, 'xenapiDomainSnapshotDelete');
  await s.client.call('VM.destroy', [(await findSnapshot(s, snap)).snapshot.ref]);
}
