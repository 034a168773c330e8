import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { open, reportsDomainStatus, type ConnectDriver, type ConnectEntry, type DomainEventData } from '@tsvirt/core';
import { DomainStatusPublisher } from './domain-status-publisher.js';

/** Where a driver connection's events go: one entry per client registration. */
export type EventSubscriber = (event: DomainEventData) => void;

interface SharedConnection {
  driver: ConnectDriver;
  subscribers: Set<EventSubscriber>;
  /** The one registration made on the driver for all subscribers, once the first arrives. */
  registration: Promise<number> | null;
  /** Where local clients read its domains' status, for drivers that report it. */
  publisher: DomainStatusPublisher | null;
}

/**
 * The driver connections, one per URI, opened on first use and shared by every
 * client, so that all clients see the same state (as libvirtd's drivers do).
 */
export class DriverPool {
  readonly #connections = new Map<string, Promise<SharedConnection>>();
  #published = 0;

  /** `statusRoot`: where connections publish their domains' status, one folder each; null for none. */
  constructor(private readonly statusRoot: string | null = null) {}

  /** The shared connection for a URI; a failed open is forgotten so that it can be retried. */
  get(uri: string): Promise<SharedConnection> {
    let conn = this.#connections.get(uri);
    if (!conn) {
      conn = open(uri, { localOnly: true }).then(async (entry) => {
        const shared: SharedConnection = {
          driver: (entry as ConnectEntry).driver, subscribers: new Set<EventSubscriber>(), registration: null, publisher: null,
        };
        await this.#publish(shared);
        return shared;
      });
      conn.catch(() => this.#connections.delete(uri));
      this.#connections.set(uri, conn);
    }
    return conn;
  }

  /** Start publishing a connection's domain status; without it, clients ask for everything. */
  async #publish(conn: SharedConnection): Promise<void> {
    const driver = conn.driver;
    if (this.statusRoot === null || !reportsDomainStatus(driver)) return;
    let publisher: DomainStatusPublisher | null = null;
    try {
      const p = (publisher = new DomainStatusPublisher(join(this.statusRoot, String(this.#published++)), driver));
      await p.publishAll();
      await this.subscribe(conn, (event) => p.domainChanged(event.domain.uuid));
      conn.publisher = p;
    } catch (e) {
      publisher?.close();
      process.stderr.write(`tsvirtd: domain status not published: ${(e as Error).message}\n`);
    }
  }

  /** Adds a subscriber to a connection's events, registering with the driver on the first. */
  async subscribe(conn: SharedConnection, subscriber: EventSubscriber): Promise<void> {
    conn.subscribers.add(subscriber);
    if (conn.registration === null && conn.driver.connectDomainEventRegister) {
      conn.registration = Promise.resolve(
        conn.driver.connectDomainEventRegister((event) => {
          for (const s of conn.subscribers) s(event);
        }),
      );
    }
    await conn.registration;
  }

  unsubscribe(conn: SharedConnection, subscriber: EventSubscriber): void {
    conn.subscribers.delete(subscriber);
  }

  async closeAll(): Promise<void> {
    const conns = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.allSettled(conns.map(async (c) => {
      const conn = await c;
      conn.publisher?.close();
      await conn.driver.connectClose?.();
    }));
    if (this.statusRoot !== null) rmSync(this.statusRoot, { recursive: true, force: true });
  }
}

export type { SharedConnection };
