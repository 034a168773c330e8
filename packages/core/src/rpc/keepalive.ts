import { encodeFrame } from './frame-codec.js';
import { KeepaliveProcedure, MessageStatus, MessageType, Program, ProgramVersion } from './rpc-constants.js';

/** A keepalive PING or PONG frame: a MESSAGE of the keepalive program with no body. */
export function keepaliveFrame(procedure: KeepaliveProcedure): Uint8Array {
  return encodeFrame({
    program: Program.KEEPALIVE, version: ProgramVersion.KEEPALIVE, procedure, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK,
  });
}

export interface KeepaliveOptions {
  /** ms of silence from the peer before a PING; 0 turns keepalive off */
  intervalMs: number;
  /** PINGs left unanswered (nothing at all heard) before the peer is given up */
  count: number;
  ping(): void;
  dead(): void;
}

/**
 * libvirt's keepalive for either end of a connection: after an interval in which
 * nothing came from the peer, send a PING; anything that comes (a PONG, a reply, a
 * call) shows it is alive. After `count` PINGs met with silence, the peer is dead.
 * The timer does not keep the process alive.
 */
export class Keepalive {
  #heard = true;
  #unanswered = 0;
  readonly #timer: NodeJS.Timeout | null;

  constructor(private readonly options: KeepaliveOptions) {
    this.#timer = options.intervalMs > 0 ? setInterval(() => this.#tick(), options.intervalMs).unref() : null;
  }

  /** Something came from the peer. */
  heard(): void {
    this.#heard = true;
    this.#unanswered = 0;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #tick(): void {
    if (this.#heard) {
      this.#heard = false;
      return;
    }
    if (this.#unanswered >= this.options.count) {
      this.stop();
      this.options.dead();
      return;
    }
    this.#unanswered++;
    this.options.ping();
  }
}
