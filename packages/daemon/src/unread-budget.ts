/** A client as the budget sees it: what it has left unread, and how to drop it. */
export interface UnreadHolder {
  /** bytes written to it that its socket has not taken yet */
  readonly unread: number;
  /** Disconnect it, saying why in the log. */
  drop(why: string): void;
}

/**
 * What all clients together may leave unread (replies and events), beside each one's own
 * limit: many clients that each stay under theirs must not add up to more memory than the
 * daemon may hold. The total is kept from what each client last reported (a client's
 * unread bytes only fall between reports, so it is never too low); when a frame would pass
 * the cap, the exact figures are taken and the clients holding the most are dropped
 * until it fits.
 */
export class UnreadBudget {
  readonly #reported = new Map<UnreadHolder, number>();
  #total = 0;

  constructor(readonly cap: number) {}

  /** Record what `holder` has unread now (0 when it has read everything or is gone). */
  update(holder: UnreadHolder, unread: number): void {
    this.#total += unread - (this.#reported.get(holder) ?? 0);
    if (unread > 0) this.#reported.set(holder, unread);
    else this.#reported.delete(holder);
  }

  /** Make room for `bytes` more to `holder`: false when `holder` itself had to be dropped. */
  makeRoom(holder: UnreadHolder, bytes: number): boolean {
    if (this.#total + bytes <= this.cap) return true;
    for (const h of [...this.#reported.keys()]) this.update(h, h.unread);
    const largestFirst = [...this.#reported].sort((a, b) => b[1] - a[1]);
    for (const [h, unread] of largestFirst) {
      if (this.#total + bytes <= this.cap) break;
      this.update(h, 0);
      h.drop(`${unread} bytes of replies and events unread while all clients' unread bytes reached the daemon's limit of ${this.cap}`);
      if (h === holder) return false;
    }
    return true;
  }
}
