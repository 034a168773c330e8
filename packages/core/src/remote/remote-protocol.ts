import { ErrorDomain, ErrorLevel, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainRef, DomainSnapshotRef, InterfaceRef, NetworkRef, NodeDeviceRef, SecretRef, StoragePoolRef, StorageVolRef } from '../gen/driver.gen.js';

/**
 * The calls of the tsvirt program that are not API methods of api.xml's table
 * (libvirt's numbers from remote_protocol.x).
 */
export const ConnectionProcedure = {
  /** REMOTE_PROC_CONNECT_OPEN: body {uri, readOnly}, empty reply, the first call of every client. */
  OPEN: 1,
} as const;

/** The body of the open call. */
export interface OpenCallBody {
  uri: string;
  readOnly: boolean;
}

/** An event as it travels in a MESSAGE frame: the client's registration, the domain, the event's fields. */
export interface EventMessageBody {
  callbackId: number;
  domain: DomainRef;
  [field: string]: unknown;
}

/** The field names of a reference type; the compiler checks that none is missing. */
const fields = <T>(all: { [K in keyof T]-?: true }): readonly string[] => Object.keys(all);

/** What identifies each object type on the wire: the fields of its reference in driver.gen.ts. */
const REF_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Domain: fields<DomainRef>({ name: true, uuid: true, id: true }),
  DomainSnapshot: fields<DomainSnapshotRef>({ name: true, domain: true }),
  Network: fields<NetworkRef>({ name: true, uuid: true }),
  StoragePool: fields<StoragePoolRef>({ name: true, uuid: true }),
  StorageVol: fields<StorageVolRef>({ name: true, key: true, path: true, pool: true }),
  Interface: fields<InterfaceRef>({ name: true, mac: true }),
  NodeDevice: fields<NodeDeviceRef>({ name: true }),
  Secret: fields<SecretRef>({ uuid: true, usageType: true, usageID: true }),
};

/** Whether a wire type names an object that travels as its reference. */
export const isRefType = (type: string): boolean => type in REF_FIELDS;

/** An object reference as it travels: plain data, whatever live object the driver handed out. */
export function plainRef(type: string, ref: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of REF_FIELDS[type] ?? []) out[f] = (ref as Record<string, unknown>)[f];
  return out;
}

/** A domain as it travels. */
export function plainDomainRef(ref: DomainRef): DomainRef {
  return { name: ref.name, uuid: ref.uuid, id: ref.id };
}

/** libvirt's error when the peer hangs up (virNetSocketReadWire): VIR_ERR_SYSTEM_ERROR in the RPC domain. */
export function endOfFileError(): VirError {
  return new VirError({
    code: ErrorNumber.SYSTEM_ERROR,
    domain: ErrorDomain.RPC,
    level: ErrorLevel.ERROR,
    message: 'End of file while reading data: Input/output error',
  });
}

/** libvirt's error for a call on a connection already lost (virNetClientSendInternal). */
export function socketClosedError(): VirError {
  return VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'client socket is closed');
}

/** libvirt's error when keepalive gives the daemon up (virNetClientIOEventLoop). */
export function keepaliveTimeoutError(): VirError {
  return VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, 'connection closed due to keepalive timeout');
}

/**
 * A frame from the peer that does not decode (libvirt's "Unable to decode message
 * payload", VIR_ERR_RPC): the link is dropped and the calls under way fail with this.
 */
export function undecodableError(cause: unknown): VirError {
  // the detail may quote the peer's bytes: control characters are shown, not printed
  const detail = (cause instanceof Error ? cause.message : String(cause))
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `Unable to decode message payload: ${detail}`);
}
