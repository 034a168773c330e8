// The errors of the storage driver, with libvirt's codes and wording (VIR_FROM_STORAGE).

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { flagChecker, strerror } from '@tsvirt/core/driver';

export const storageError = (code: number, info: string) => VirError.of(code, ErrorDomain.STORAGE, info);
export const invalidOperation = (info: string) => storageError(ErrorNumber.OPERATION_INVALID, info);
export const invalidArg = (info: string) => storageError(ErrorNumber.INVALID_ARG, info);
export const operationFailed = (info: string) => storageError(ErrorNumber.OPERATION_FAILED, info);
export const poolNotActive = (name: string) => invalidOperation(`storage pool '${name}' is not active`);
export const volNotFound = (key: 'name' | 'key' | 'path', value: string) =>
  storageError(ErrorNumber.NO_STORAGE_VOL, key === 'key' ? `no storage vol with matching key ${value}` : `no storage vol with matching ${key} '${value}'`);

/** A failed system call, as libvirt's virReportSystemError words it: "what: strerror". */
export function systemError(what: string, e: unknown): VirError {
  if (e instanceof VirError) return e;
  return storageError(ErrorNumber.SYSTEM_ERROR, `${what}: ${strerror(e)}`);
}

export const checkFlags = flagChecker(ErrorDomain.STORAGE);
