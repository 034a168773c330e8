import type { CallOptions } from './gen/api.gen.js';
import { ErrorDomain } from './gen/errors.gen.js';
import { toVirError } from './errors/vir-error.js';
import { invalidArgument, operationAborted } from './entry-checks.js';

type Callback<T> = (value: T) => void;

/**
 * A callback registration as a promise: a callback is registered for one call, the
 * promise takes that call's argument, and the callback goes again. A signal gives it
 * up (VIR_ERR_OPERATION_ABORTED), removing the callback too.
 */
export function nextCallback<T>(
  register: (cb: Callback<T>) => Promise<void>, unregister: (cb: Callback<T>) => Promise<void>, fn: string, options?: CallOptions,
): Promise<T> {
  const signal = options?.signal;
  return new Promise<T>((resolve, reject) => {
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      reject(invalidArgument('signal', fn, 'an AbortSignal', ErrorDomain.NONE));
      return;
    }
    if (signal?.aborted) {
      reject(operationAborted(fn, ErrorDomain.NONE));
      return;
    }
    const settle = () => {
      signal?.removeEventListener('abort', onAbort);
      unregister(callback).catch(() => undefined); // a closed connection has nothing left to remove
    };
    const callback: Callback<T> = (value) => {
      settle();
      resolve(value);
    };
    const onAbort = () => {
      settle();
      reject(operationAborted(fn, ErrorDomain.NONE));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    register(callback).catch((e: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      reject(toVirError(e, ErrorDomain.NONE));
    });
  });
}
