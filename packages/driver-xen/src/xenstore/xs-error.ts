// xenstore's failures as VirErrors (VIR_FROM_XENSTORE), with xenstored's own errno name kept.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

/** What xenstored's errno names mean, for the message. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such node', EACCES: 'permission denied', EEXIST: 'node exists', EISDIR: 'is a directory', EINVAL: 'invalid argument',
  ENOSPC: 'no space', EIO: 'input/output error', ENOTEMPTY: 'directory not empty', ENOSYS: 'not implemented', EROFS: 'read-only',
  EBUSY: 'busy', EAGAIN: 'transaction conflict, try again', EISCONN: 'already connected', E2BIG: 'argument list too long',
  EPERM: 'operation not permitted', EQUOTA: 'quota exceeded',
};

/** A request xenstored refused: `errno` is its word for why (ENOENT, EACCES, EAGAIN, ...). */
export class XenstoreError extends VirError {
  constructor(readonly errno: string, what: string) {
    const code = errno === 'EACCES' || errno === 'EPERM' ? ErrorNumber.OPERATION_DENIED : ErrorNumber.OPERATION_FAILED;
    super(VirError.of(code, ErrorDomain.XENSTORE, `xenstore ${what}: ${errno} (${ERRNO_TEXT[errno] ?? 'error'})`).toJSON());
  }
}

/** No xenstored at that socket (libvirt's "could not connect to Xen Store"). */
export const cannotConnect = (socket: string, why: string) => VirError.of(ErrorNumber.NO_XENSTORE, ErrorDomain.XENSTORE, `${socket}: ${why}`);

export const xenstoreFailure = (code: number, info: string) => VirError.of(code, ErrorDomain.XENSTORE, info);
