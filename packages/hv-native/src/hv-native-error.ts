import { getSystemErrorName } from 'node:util';

/**
 * Codes an HvNativeError carries. Errno names come from the kernel (any errno may
 * appear; these are the ones the API documents); UNAVAILABLE means the feature needs
 * the native addon and it is not loaded.
 */
export type HvNativeErrorCode =
  | 'UNAVAILABLE'
  | 'EINVAL'
  | 'EBADF'
  | 'ESRCH'
  | 'EPERM'
  | 'EBUSY'
  | 'EAGAIN'
  | 'ENOTCONN'
  | 'ETIMEDOUT'
  | 'EMSGSIZE'
  | (string & {});

export interface HvNativeErrorDetails {
  errno?: number;
  syscall?: string;
  cause?: unknown;
}

/** The one error type of @tsvirt/hv-native: bad input, a failed system call, or a missing addon. */
export class HvNativeError extends Error {
  override readonly name = 'HvNativeError';
  readonly code: HvNativeErrorCode;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;

  constructor(code: HvNativeErrorCode, message: string, details: HvNativeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

/**
 * Turns what the addon throws into an HvNativeError: errno errors (they carry `errno`
 * and `syscall`) keep their errno name; argument errors from the addon's own checks
 * become EINVAL. Anything else is returned unchanged.
 */
export function fromNativeError(err: unknown, what: string): unknown {
  if (err instanceof HvNativeError || !(err instanceof Error)) return err;
  const { errno, syscall } = err as Error & { errno?: unknown; syscall?: unknown };
  if (typeof errno === 'number') {
    return new HvNativeError(errnoName(errno), `${what}: ${err.message}`, {
      errno,
      syscall: typeof syscall === 'string' ? syscall : undefined,
      cause: err,
    });
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    return new HvNativeError('EINVAL', `${what}: ${err.message}`, { cause: err });
  }
  return err;
}

function errnoName(errno: number): string {
  const name = Number.isInteger(errno) && errno > 0 ? getSystemErrorName(-errno) : '';
  return /^E[A-Z0-9]+$/.test(name) ? name : `ERRNO_${errno}`;
}
