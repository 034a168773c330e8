import type { Duplex } from 'node:stream';
import type { CallOptions } from './gen/api.gen.js';
import { invalidArgument, operationAborted } from './entry-checks.js';

/**
 * The signal of a call that can take long, checked as an argument is. A signal already
 * aborted fails the call before anything is sent (VIR_ERR_OPERATION_ABORTED).
 */
export function callSignal(options: CallOptions | undefined, fn: string, domain: number): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', fn, 'an object', domain);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgument('signal', fn, 'an AbortSignal', domain);
  if (signal?.aborted) throw operationAborted(fn, domain);
  return signal;
}

const isStream = (v: unknown): v is Duplex => typeof v === 'object' && v !== null && typeof (v as Duplex).destroy === 'function' && typeof (v as Duplex).pipe === 'function';

/**
 * A call in flight that its signal may give up. When the signal aborts first, the caller
 * is told VIR_ERR_OPERATION_ABORTED at once; the call goes on in the driver (or the
 * daemon) and its reply, value or error, is dropped when it comes. `cancel`, for a call
 * that runs a domain job, is asked to abort that job; it is not otherwise undone.
 * A stream the call opens (volume upload and download) is destroyed with that error
 * when the signal aborts while it is open.
 */
export function withSignal<T>(
  work: T | Promise<T>, signal: AbortSignal | undefined, fn: string, domain: number, cancel?: () => unknown,
): Promise<T> {
  if (signal === undefined) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(operationAborted(fn, domain));
      // the job may have ended meanwhile: nothing to abort is no failure of this call
      if (cancel) Promise.resolve().then(cancel).catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(work).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (isStream(value) && !signal.aborted) {
          const end = () => value.destroy(operationAborted(fn, domain));
          signal.addEventListener('abort', end, { once: true });
          value.once('close', () => signal.removeEventListener('abort', end));
        }
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
