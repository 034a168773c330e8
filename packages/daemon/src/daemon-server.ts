import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_LIMITS, type DaemonLimits } from './daemon-limits.js';
import { ClientSession } from './client-session.js';
import { DriverPool } from './driver-pool.js';
import type { ClientAccess } from './network-access.js';
import { UnreadBudget } from './unread-budget.js';

/** The daemon's state: the shared driver connections, the clients, the listeners. */
export class DaemonServer {
  readonly pool = new DriverPool();
  readonly #sessions = new Set<ClientSession>();
  readonly #servers: Server[] = [];
  /** Clients served since start, to tell them apart in the log. */
  #served = 0;
  readonly #budget: UnreadBudget;
  /** --timeout: when an idle daemon exits (0: never) */
  readonly #idle: { seconds: number; onIdle: () => void; timer: NodeJS.Timeout | null } = { seconds: 0, onIdle: () => {}, timer: null };

  /**
   * What clients may open beyond the daemon's instances: `nodeFileDirs`, where clients that
   * are not trusted may open files by their URI (--allow-node-files); `xenapiUris`, the
   * XenAPI hosts clients may have it connect to (--allow-xenapi).
   */
  constructor(readonly limits: DaemonLimits = DEFAULT_LIMITS, private readonly nodeFileDirs: readonly string[] = [], private readonly xenapiUris: readonly string[] = []) {
    this.#budget = new UnreadBudget(limits.maxQueuedBytesTotal);
  }

  get clientCount(): number {
    return this.#sessions.size;
  }

  addListener(server: Server): void {
    // A failed accept (out of descriptors, say) is reported; the daemon goes on.
    server.on('error', (e) => process.stderr.write(`tsvirtd: ${e.message}\n`));
    this.#servers.push(server);
  }

  /**
   * Serve a client on a stream; past the client limit it is disconnected at once. `peer`
   * names it in the log; a client with a refusal gets it as the answer to its first call.
   */
  serve(stream: Duplex, access: ClientAccess, peer: string, onClose?: () => void): void {
    if (this.#sessions.size >= this.limits.maxClients) {
      stream.destroy();
      return;
    }
    this.#served++;
    const name = `client ${this.#served} (${peer})`;
    if (access.refusal) process.stderr.write(`tsvirtd: refused ${name}: ${access.refusal.message}\n`);
    const session = new ClientSession(stream, access, this.pool, this.limits, this.#budget, { nodeFileDirs: this.nodeFileDirs, xenapiUris: this.xenapiUris }, (s) => {
      this.#sessions.delete(s);
      onClose?.();
      this.#armIdleTimer();
    }, name);
    this.#sessions.add(session);
    this.#stopIdleTimer();
  }

  /**
   * Call `onIdle` once the daemon has had no clients for `seconds` and its drivers run no
   * guests (libvirtd's --timeout); while guests run, look again every `seconds`.
   */
  exitWhenIdle(seconds: number, onIdle: () => void): void {
    Object.assign(this.#idle, { seconds, onIdle });
    this.#armIdleTimer();
  }

  #armIdleTimer(): void {
    const idle = this.#idle;
    if (idle.seconds === 0 || this.#sessions.size > 0) return;
    this.#stopIdleTimer();
    idle.timer = setTimeout(() => {
      idle.timer = null;
      if (this.#sessions.size > 0) return;
      void this.pool.guestsRunning().catch(() => true).then((running) => {
        if (this.#sessions.size > 0) return;
        if (running) this.#armIdleTimer();
        else idle.onIdle();
      });
    }, idle.seconds * 1000);
  }

  #stopIdleTimer(): void {
    if (this.#idle.timer) clearTimeout(this.#idle.timer);
    this.#idle.timer = null;
  }

  /** Stop listening, drop every client, close the drivers. */
  async stop(): Promise<void> {
    this.#stopIdleTimer();
    // A server's close completes only when its clients are gone: drop them meanwhile.
    const closed = Promise.all(this.#servers.map((s) => new Promise((resolve) => s.close(resolve))));
    for (const s of [...this.#sessions]) s.close();
    await closed;
    await this.pool.closeAll();
  }
}
