// XenAPI's failures as libvirt errors (VIR_FROM_XENAPI): XenAPI's own error name and
// parameters stay in the message, so that nothing XenAPI said is lost.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

/** XenAPI error names and the libvirt codes that mean the same. */
const CODES: Readonly<Record<string, number>> = {
  SESSION_AUTHENTICATION_FAILED: ErrorNumber.AUTH_FAILED,
  SESSION_INVALID: ErrorNumber.AUTH_FAILED,
  HOST_IS_SLAVE: ErrorNumber.OPERATION_FAILED,
  PERMISSION_DENIED: ErrorNumber.OPERATION_DENIED,
  RBAC_PERMISSION_DENIED: ErrorNumber.OPERATION_DENIED,
  VM_BAD_POWER_STATE: ErrorNumber.OPERATION_INVALID,
  OPERATION_NOT_ALLOWED: ErrorNumber.OPERATION_INVALID,
  VM_IS_TEMPLATE: ErrorNumber.OPERATION_INVALID,
  VM_HVM_REQUIRED: ErrorNumber.OPERATION_INVALID,
  OTHER_OPERATION_IN_PROGRESS: ErrorNumber.OPERATION_INVALID,
  HOST_NOT_ENOUGH_FREE_MEMORY: ErrorNumber.OPERATION_FAILED,
  MESSAGE_METHOD_UNKNOWN: ErrorNumber.NO_SUPPORT,
  MESSAGE_PARAMETER_COUNT_MISMATCH: ErrorNumber.INTERNAL_ERROR,
  FIELD_TYPE_ERROR: ErrorNumber.INVALID_ARG,
  VALUE_NOT_SUPPORTED: ErrorNumber.INVALID_ARG,
};

/** Errors that name a VM that is not there. */
const NO_OBJECT = new Set(['HANDLE_INVALID', 'UUID_INVALID']);

/** Longest parameter text kept in a message: a host's error can be arbitrarily long. */
const MAX_PARAM = 256;

export const xenapiError = (code: number, info: string) => VirError.of(code, ErrorDomain.XENAPI, info);

/** A XenAPI failure ([NAME, ...params]) as a VirError whose message keeps NAME and params. */
export class XenApiFailure extends VirError {
  constructor(readonly xenapiName: string, readonly params: readonly string[], method: string) {
    const code = NO_OBJECT.has(xenapiName) && (params[0] ?? '').toUpperCase() === 'VM' ? ErrorNumber.NO_DOMAIN : (CODES[xenapiName] ?? ErrorNumber.INTERNAL_ERROR);
    const shown = params.map((p) => p.slice(0, MAX_PARAM)).join(', ');
    super(VirError.of(code, ErrorDomain.XENAPI, `${method}: XenAPI error ${xenapiName}${shown ? `: ${shown}` : ''}`).toJSON());
  }
}

/** An error description as a host sent it: a list whose head is the name; anything else is the host breaking the protocol. */
export function failureOf(description: unknown, method: string): VirError {
  if (Array.isArray(description) && typeof description[0] === 'string' && description[0] && description.length <= 64) {
    return new XenApiFailure(description[0].slice(0, 128), description.slice(1).map((p) => (typeof p === 'string' ? p : JSON.stringify(p) ?? String(p))), method);
  }
  return xenapiError(ErrorNumber.RPC, `${method}: the XenAPI host sent an error that is not XenAPI's`);
}
