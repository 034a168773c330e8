// The errors the QEMU driver reports, with libvirt's codes and wording.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { flagChecker } from '@tsvirt/core/driver';
import { QmpClosedError, QmpError } from './qmp/qmp-error.js';

export const qemuError = (code: number, info?: string) => VirError.of(code, ErrorDomain.QEMU, info);

/** libvirt's check that a domain runs (virDomainObjCheckActive): an error of the shared domain layer. */
export { domainNotRunning as notRunning } from '@tsvirt/core/driver';
export const alreadyRunning = () => qemuError(ErrorNumber.OPERATION_INVALID, 'domain is already running');
export const internalError = (info: string) => qemuError(ErrorNumber.INTERNAL_ERROR, info);

/** libvirt's check of flags a call does not support: the message names the call. */
export const checkFlags = flagChecker(ErrorDomain.QEMU);

/**
 * A monitor failure as libvirt 9.0 reports it: QEMU's own refusal is an internal
 * error "unable to execute QEMU command 'X': DESC"; a monitor that went away is
 * an operation failure.
 */
export function fromMonitorError(e: unknown): VirError {
  if (e instanceof QmpError) return internalError(e.message);
  if (e instanceof QmpClosedError) return qemuError(ErrorNumber.OPERATION_FAILED, e.message);
  if (e instanceof VirError) return e;
  return internalError(e instanceof Error ? e.message : String(e));
}

/** A monitor call's promise, with its failure reported as libvirt does (see fromMonitorError). */
export function viaMonitor<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => { throw fromMonitorError(e); });
}
