import { ErrorDomain, ErrorNumber } from './gen/errors.gen.js';
import { VirError } from './errors/vir-error.js';

// The checks that every generated entry point makes, in one place.

export const isFlags = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

export const invalidConnection = (fn: string) => VirError.of(ErrorNumber.INVALID_CONN, ErrorDomain.NONE, fn);

export const deniedOnReadOnly = (fn: string, domain: number) =>
  VirError.of(ErrorNumber.OPERATION_DENIED, domain, `read only access prevents ${fn}`);

/** A flag that only a read-write connection may pass, such as SECURE (libvirt's wording). */
export const deniedFlagOnReadOnly = (fn: string, flag: string, domain: number) =>
  VirError.of(ErrorNumber.OPERATION_DENIED, domain, `${fn} with ${flag} flag`);

export const invalidArgument = (arg: string, fn: string, expected: string, domain: number) =>
  VirError.of(ErrorNumber.INVALID_ARG, domain, `${arg} in ${fn} must be ${expected}`);

export const unsupported = (fn: string, domain: number) => VirError.of(ErrorNumber.NO_SUPPORT, domain, fn);
