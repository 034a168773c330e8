// Domain events without polling: xenstored tells of domains that appear or go
// (@introduceDomain, @releaseDomain) and of changes under /local/domain; each
// makes the state ask xl once what runs, and the differences become libvirt's
// lifecycle events. Without xenstore, xl is asked before every query instead.

import type { XenDriverState } from './driver-state.js';
import { XenstoreClient, type XsWatch } from './xenstore/xs-client.js';

const WATCHED = ['@introduceDomain', '@releaseDomain', '/local/domain'];

export class XenstoreWatch {
  readonly #s: XenDriverState;
  #xs: XenstoreClient | null = null;
  #watches: XsWatch[] = [];
  #pending = false;

  constructor(state: XenDriverState) {
    this.#s = state;
  }

  /** Watch xenstored at `socket`; false (and queries ask xl) when it cannot be reached. */
  async start(socket: string): Promise<boolean> {
    try {
      this.#xs = await XenstoreClient.connect(socket, { timeoutMs: 5000 });
      for (const path of WATCHED) this.#watches.push(await this.#xs.watch(path, () => this.#changed()));
    } catch {
      this.stop();
      return false;
    }
    this.#s.watched = true;
    return true;
  }

  /** Something changed: one sync for a burst of watch events, and only while anyone listens (queries sync themselves). */
  #changed(): void {
    this.#s.stale = true;
    if (!this.#xs?.alive) this.#s.watched = false;
    if (this.#pending || this.#s.events.size === 0) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      if (!this.#s.closed) this.#s.sync().catch(() => undefined);
    });
  }

  stop(): void {
    this.#s.watched = false;
    this.#watches = [];
    this.#xs?.close();
    this.#xs = null;
  }
}
