import type { ConnectCloseCallback, ConnectCloseReason } from '../gen/api.gen.js';
import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

/**
 * The close callbacks of one connection (virConnectRegisterCloseCallback). libvirt keeps
 * one per connection; here any number may listen (tsvirt's own waiters, such as an event
 * iterator, beside the application's), but the same function twice is refused, and
 * removing one that is not there is refused, in libvirt's words. Each is told every
 * close: every loss of the link to a daemon (which is then reconnected) and the
 * application's own close (CLIENT). A callback that throws does not stop the others.
 */
export class CloseCallbacks {
  readonly #callbacks = new Set<ConnectCloseCallback>();

  /** `errorDomain`: where the refusals come from (VIR_FROM_REMOTE for the remote driver). */
  constructor(private readonly errorDomain: number) {}

  register(callback: ConnectCloseCallback): void {
    if (this.#callbacks.has(callback)) throw VirError.of(ErrorNumber.OPERATION_INVALID, this.errorDomain, 'A close callback is already registered');
    this.#callbacks.add(callback);
  }

  unregister(callback: ConnectCloseCallback): void {
    if (!this.#callbacks.delete(callback)) throw VirError.of(ErrorNumber.OPERATION_INVALID, this.errorDomain, 'A different callback was requested');
  }

  notify(reason: ConnectCloseReason): void {
    for (const callback of [...this.#callbacks]) {
      try { callback(reason); } catch { /* the others are still told */ }
    }
  }
}
