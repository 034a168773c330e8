// The errors the Xen driver reports, with libvirt's codes and wording: the xl
// backend's from libvirt's libxl driver (VIR_FROM_LIBXL).

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { flagChecker } from '@tsvirt/core/driver';

export const xenError = (code: number, info?: string) => VirError.of(code, ErrorDomain.LIBXL, info);
export const internalError = (info: string) => xenError(ErrorNumber.INTERNAL_ERROR, info);
export const operationFailed = (info: string) => xenError(ErrorNumber.OPERATION_FAILED, info);
export const operationInvalid = (info: string) => xenError(ErrorNumber.OPERATION_INVALID, info);

/** libvirt's check that a domain runs (virDomainObjCheckActive): an error of the shared domain layer. */
export { domainNotRunning as notRunning, domainAlreadyActive as alreadyActive } from '@tsvirt/core/driver';

/**
 * A call that needs the hypervisor on a host where xl cannot reach one: the
 * connection is open for conversions only (domxml-to-native and back).
 */
export const noHypervisor = (entry: string, why: string) => xenError(ErrorNumber.NO_XEN, `${entry}: ${why}`);

/**
 * xl refused or failed: libvirt's libxl driver reports a failed libxl call as an
 * internal error "Failed to <what>"; xl's own words follow.
 */
export function fromXl(what: string, e: unknown): VirError {
  if (e instanceof VirError) return e;
  return internalError(`Failed to ${what}: ${e instanceof Error ? (e as Error & { detail?: string }).detail ?? e.message : String(e)}`);
}

/** libvirt's check of flags a call does not support: the message names the call. */
export const checkFlags = flagChecker(ErrorDomain.LIBXL);
