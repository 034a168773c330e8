import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { flagChecker } from '@tsvirt/core/driver';

// The errors the test driver reports, with libvirt's codes and wording.

/** libvirt's check that a domain runs (virDomainObjCheckActive): an error of the shared domain layer. */
export { domainNotRunning as notRunning } from '@tsvirt/core/driver';

/** The same words from the test driver itself, where libvirt's test driver checks on its own (virDomainGetTime). */
export const notRunningHere = () => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, 'domain is not running');

export const internal = (info: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, info);

export const invalidOperation = (info: string) => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.TEST, info);

/** libvirt's check of flags a call does not support: the message names the call. */
export const checkFlags = flagChecker(ErrorDomain.TEST);
