import { ErrorDomain, ErrorLevel, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';

/** Node's text for an errno code, as libvirt prints strerror ("No such file or directory"). */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ETIMEDOUT: 'Connection timed out',
  ENOTFOUND: 'Name or service not known',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOSPC: 'No space left on device',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EPERM: 'Operation not permitted',
  EBUSY: 'Device or resource busy',
};

export function strerror(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return (err.code && STRERROR[err.code]) || err.message || String(e);
}

/** A failed connect as libvirt reports it: VIR_ERR_SYSTEM_ERROR in the RPC domain. */
export function connectFailed(what: string, e: unknown): VirError {
  return new VirError({ code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.RPC, level: ErrorLevel.ERROR, message: `${what}: ${strerror(e)}` });
}
