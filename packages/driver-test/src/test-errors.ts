import { ErrorDomain, ErrorNumber, VirError, flagChecker } from '@tsvirt/core';

// The errors the test driver reports, with libvirt's codes and wording.

export const noDomain = (what: string) => VirError.of(ErrorNumber.NO_DOMAIN, ErrorDomain.TEST, what);

export const notRunning = () => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, 'domain is not running');

export const internal = (info: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, info);

export const invalidOperation = (info: string) => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, info);

/** libvirt's check of flags a call does not support: the message names the call. */
export const checkFlags = flagChecker(ErrorDomain.TEST);
