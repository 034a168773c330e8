import type { Duplex } from 'node:stream';
import { VirError } from '../errors/vir-error.js';
import { ConnectCloseReason } from '../gen/api.gen.js';
import { encodeFrame, FrameDecoder, type Frame, type FrameHeader } from '../rpc/frame-codec.js';
import { Keepalive, keepaliveFrame } from '../rpc/keepalive.js';
import { writeInBurst } from '../rpc/burst-write.js';
import { KeepaliveProcedure, MessageStatus, MessageType, Program } from '../rpc/rpc-constants.js';
import { endOfFileError, keepaliveTimeoutError, socketClosedError, undecodableError } from './remote-protocol.js';
import { remoteStream, type StreamLink } from './stream-frames.js';
import { tsvirtProgram, type CallChannel, type ReceivedEvent, type WireProgram } from './wire-program.js';

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: VirError): void;
  /** told first, however the call ends */
  settled?: () => void;
  /** what the call was made with (its reply may be laid out by it) */
  args: unknown;
}

/** Keepalive as virsh sets it by default (virConnectSetKeepAlive(conn, 5, 6)). */
export const CLIENT_KEEPALIVE = { intervalMs: 5000, count: 6 };

export interface RpcChannelHandlers {
  /** An event, from a MESSAGE frame of the channel's program. */
  onEvent(event: ReceivedEvent): void;
  /** The channel is gone, for `reason`; pending calls have been failed with `error`. */
  onClose(error: VirError, reason: ConnectCloseReason): void;
}

const UINT32_SPAN = 0x100000000;

/**
 * The client end of one transport stream: numbered calls matched with their replies
 * (any number in flight), events handed on, keepalive pings answered. Calls go out in
 * one program's bodies, tsvirt's until told otherwise (`useProgram`).
 */
export class RpcChannel implements CallChannel {
  #program: WireProgram = tsvirtProgram;
  #serial = 0;
  readonly #pending = new Map<number, PendingCall>();
  /** Open streams by the serial of the call that opened them. */
  readonly #streams = new Map<number, StreamLink>();
  readonly #decoder = new FrameDecoder();
  #closed = false;

  readonly #keepalive: Keepalive;

  constructor(private readonly stream: Duplex, private readonly handlers: RpcChannelHandlers, keepalive = CLIENT_KEEPALIVE) {
    this.#keepalive = new Keepalive({
      ...keepalive,
      ping: () => stream.write(keepaliveFrame(KeepaliveProcedure.PING)),
      dead: () => {
        this.#shutdown(keepaliveTimeoutError(), ConnectCloseReason.KEEPALIVE);
        stream.destroy();
      },
    });
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.on('error', () => this.#shutdown(endOfFileError(), ConnectCloseReason.ERROR));
    stream.on('close', () => this.#shutdown(endOfFileError(), ConnectCloseReason.EOF));
    stream.on('end', () => this.#shutdown(endOfFileError(), ConnectCloseReason.EOF));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get program(): WireProgram {
    return this.#program;
  }

  /** Make the calls from now on in another program (the peer turned out to speak libvirt's). */
  useProgram(program: WireProgram): void {
    this.#program = program;
  }

  /**
   * Send a call and await its reply's value; an error reply rejects with the VirError it
   * carries. `settled` is told when it ends, before the promise settles (without a turn of its own).
   */
  call(proc: number, args: unknown, settled?: () => void): Promise<unknown> {
    return this.#call(proc, this.#nextSerial(), args, settled);
  }

  /**
   * A call that opens a stream (its reply is empty): the stream's frames may follow the
   * reply in the same read, so its end is in place before the call goes out.
   */
  async openStream(proc: number, args: unknown): Promise<Duplex> {
    const serial = this.#nextSerial();
    const link = remoteStream((status, body) => {
      if (!this.#closed) this.stream.write(encodeFrame(this.#header(proc, MessageType.STREAM, serial, status), body));
    }, this.stream, this.#program.streamErrors);
    this.#streams.set(serial, link);
    link.stream.once('close', () => this.#streams.delete(serial));
    try {
      await this.#call(proc, serial, args);
    } catch (e) {
      this.#streams.delete(serial);
      throw e;
    }
    return link.stream;
  }

  #nextSerial(): number {
    const serial = this.#serial;
    this.#serial = (this.#serial + 1) % UINT32_SPAN;
    return serial;
  }

  #header(procedure: number, type: MessageType, serial: number, status: MessageStatus = MessageStatus.OK): FrameHeader {
    return { program: this.#program.program, version: this.#program.version, procedure, type, serial, status };
  }

  #call(proc: number, serial: number, args: unknown, settled?: () => void): Promise<unknown> {
    if (this.#closed) {
      settled?.();
      return Promise.reject(socketClosedError());
    }
    let frame: Uint8Array;
    try {
      frame = this.#program.callFrame(this.#header(proc, MessageType.CALL, serial), proc, args);
    } catch (e) {
      settled?.();
      throw e;
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(serial, { resolve, reject, settled, args });
      writeInBurst(this.stream, frame);
    });
  }

  /** Hang up; pending calls fail as on a lost connection, open streams just end. */
  close(): void {
    for (const link of this.#streams.values()) link.abort();
    this.#shutdown(socketClosedError(), ConnectCloseReason.CLIENT);
    this.stream.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#keepalive.heard();
    try {
      for (const frame of this.#decoder.push(chunk)) this.#dispatch(frame);
    } catch (e) {
      // A peer that breaks the protocol cannot be trusted further, as in libvirt: the
      // calls under way fail with what was wrong.
      this.stream.destroy();
      this.#shutdown(undecodableError(e), ConnectCloseReason.ERROR);
    }
  }

  #dispatch({ header, body }: Frame): void {
    if (header.program === Program.KEEPALIVE) {
      if (header.procedure === KeepaliveProcedure.PING) {
        this.stream.write(keepaliveFrame(KeepaliveProcedure.PONG));
      }
      return;
    }
    if (header.type === MessageType.STREAM) {
      this.#streams.get(header.serial)?.receive(header.status, body);
      return;
    }
    if (header.type === MessageType.MESSAGE) {
      const event = this.#program.message(header.procedure, body);
      if (event !== null) this.handlers.onEvent(event);
      return;
    }
    if (header.type !== MessageType.REPLY) return;
    const call = this.#pending.get(header.serial);
    if (!call) return;
    // Decoded before the call leaves the table: a body that does not decode fails the
    // call with the rest (never leaves it waiting forever).
    const outcome = header.status === MessageStatus.ERROR
      ? new VirError(this.#program.error(body))
      : this.#program.reply(header.procedure, body, call.args);
    this.#pending.delete(header.serial);
    call.settled?.();
    if (outcome instanceof VirError) call.reject(outcome);
    else call.resolve(outcome);
  }

  #shutdown(error: VirError, reason: ConnectCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#keepalive.stop();
    for (const call of this.#pending.values()) {
      call.settled?.();
      call.reject(error);
    }
    this.#pending.clear();
    for (const link of this.#streams.values()) link.abort(error);
    this.#streams.clear();
    this.handlers.onClose(error, reason);
  }
}
