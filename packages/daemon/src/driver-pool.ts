import { ConnectListAllDomainsFlags, open } from '@tsvirt/core';
import { parseConnectUri, servedByDaemon, type ConnectDriver, type ConnectEntry, type DomainEventData } from '@tsvirt/core/driver';

/** Where a driver connection's events go: one entry per client registration. */
export type EventSubscriber = (event: DomainEventData) => void;

interface SharedConnection {
  driver: ConnectDriver;
  subscribers: Set<EventSubscriber>;
  /** The one registration made on the driver for all subscribers, once the first arrives. */
  registration: Promise<number> | null;
}

/**
 * The driver connections, one per URI, opened on first use and shared by every
 * client, so that all clients see the same state (as libvirtd's drivers do).
 */
export class DriverPool {
  readonly #connections = new Map<string, Promise<SharedConnection>>();

  /**
   * The shared connection for a URI; a failed open is forgotten so that it can be retried.
   * One opened with `fileDirs` (the folders its files must lie in) is shared only with
   * others opened so, never with one that read its files unconfined.
   */
  get(uri: string, fileDirs: readonly string[] | null = null): Promise<SharedConnection> {
    const key = fileDirs === null ? uri : `${uri}\0confined`;
    let conn = this.#connections.get(key);
    if (!conn) {
      conn = open(uri, { localOnly: true, ...(fileDirs && { fileDirs }) }).then((entry) => ({
        driver: (entry as ConnectEntry).driver, subscribers: new Set<EventSubscriber>(), registration: null,
      }));
      conn.catch(() => this.#connections.delete(key));
      this.#connections.set(key, conn);
    }
    return conn;
  }

  /** Adds a subscriber to a connection's events, registering with the driver on the first. */
  async subscribe(conn: SharedConnection, subscriber: EventSubscriber): Promise<void> {
    conn.subscribers.add(subscriber);
    if (conn.registration === null && conn.driver.connectDomainEventRegister) {
      conn.registration = Promise.resolve(
        conn.driver.connectDomainEventRegister((event) => {
          for (const s of conn.subscribers) s(event);
        }, undefined),
      );
    }
    await conn.registration;
  }

  unsubscribe(conn: SharedConnection, subscriber: EventSubscriber): void {
    conn.subscribers.delete(subscriber);
  }

  /**
   * Whether a driver whose guests belong to the daemon (the QEMU driver: it owns their
   * monitors) has one running: an idle daemon stays for them, as libvirt's does.
   */
  async guestsRunning(): Promise<boolean> {
    for (const [uri, pending] of this.#connections) {
      if (!servedByDaemon(parseConnectUri(uri).driver)) continue;
      const conn = await pending.catch(() => null);
      if ((await conn?.driver.connectListAllDomains?.(ConnectListAllDomainsFlags.ACTIVE))?.length) return true;
    }
    return false;
  }

  async closeAll(): Promise<void> {
    const conns = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.allSettled(conns.map(async (c) => {
      const conn = await c;
      await conn.driver.connectClose?.();
    }));
  }
}

export type { SharedConnection };
