import { FrameSize, MessageStatus, MessageType, Program, ProgramVersion } from './rpc-constants.js';
import { RpcProtocolError } from './rpc-error.js';

/** The six fields that follow the length word of every frame. */
export interface FrameHeader {
  program: number;
  version: number;
  procedure: number;
  type: MessageType;
  serial: number;
  status: MessageStatus;
}

/** One decoded frame. */
export interface Frame {
  header: FrameHeader;
  /** The body, without length word or header; it may be a view into a pushed chunk. */
  body: Buffer;
}

/** A program a decoder accepts, at the one version it speaks. */
export interface ProgramId {
  program: number;
  version: number;
}

export interface FrameDecoderOptions {
  /**
   * The largest header plus body accepted, in bytes (default 32 MiB, libvirt's
   * VIR_NET_MESSAGE_MAX). As in libvirt, the length word may say up to 4 more.
   */
  maxMessage?: number;
  /** The programs accepted; a frame of any other is fatal. Default: tsvirt, remote, keepalive. */
  programs?: readonly ProgramId[];
}

const { LENGTH_WORD, HEADER, MIN_FRAME, DEFAULT_MAX_MESSAGE } = FrameSize;
const TYPE_COUNT = Object.keys(MessageType).length;
const STATUS_COUNT = Object.keys(MessageStatus).length;
const UINT32_MAX = 0xffffffff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const DEFAULT_PROGRAMS: readonly ProgramId[] = [
  { program: Program.TSVIRT, version: ProgramVersion.TSVIRT },
  { program: Program.REMOTE, version: ProgramVersion.REMOTE },
  { program: Program.KEEPALIVE, version: ProgramVersion.KEEPALIVE },
];

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Both enumerations are dense from 0, so a range check is a membership check. */
function checkType(type: number): MessageType {
  if (!(type >= 0 && type < TYPE_COUNT && Number.isInteger(type))) {
    throw new RpcProtocolError('bad-type', `unknown message type ${type} (known: 0 to ${TYPE_COUNT - 1})`);
  }
  return type as MessageType;
}

function checkStatus(status: number): MessageStatus {
  if (!(status >= 0 && status < STATUS_COUNT && Number.isInteger(status))) {
    throw new RpcProtocolError('bad-status', `unknown message status ${status} (known: 0 to ${STATUS_COUNT - 1})`);
  }
  return status as MessageStatus;
}

/** A sender's bug, not a peer's: Buffer's writers would silently truncate fractions and NaN. */
function checkField(name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`header field ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * A frame's buffer for a body of `bodyLength` bytes, length word and header written,
 * the body's bytes left for the caller to fill at MIN_FRAME: every encoder makes its
 * frame in one allocation, ready for one socket write.
 */
export function allocFrame(header: FrameHeader, bodyLength: number, maxMessage: number = DEFAULT_MAX_MESSAGE): Buffer {
  checkField('program', header.program, 0, UINT32_MAX);
  checkField('version', header.version, 0, UINT32_MAX);
  checkField('procedure', header.procedure, INT32_MIN, INT32_MAX);
  checkField('serial', header.serial, 0, UINT32_MAX);
  checkType(header.type);
  checkStatus(header.status);
  const message = HEADER + bodyLength;
  if (message > maxMessage) {
    throw new RpcProtocolError('too-long', `a ${bodyLength}-byte body exceeds the ${maxMessage}-byte message maximum with its ${HEADER}-byte header`);
  }
  const frame = Buffer.allocUnsafe(LENGTH_WORD + message);
  frame.writeUInt32BE(LENGTH_WORD + message, 0);
  frame.writeUInt32BE(header.program, 4);
  frame.writeUInt32BE(header.version, 8);
  frame.writeInt32BE(header.procedure, 12);
  frame.writeInt32BE(header.type, 16);
  frame.writeUInt32BE(header.serial, 20);
  frame.writeInt32BE(header.status, 24);
  return frame;
}

/** The whole frame, length word first, as one buffer ready for a socket write. */
export function encodeFrame(
  header: FrameHeader,
  body: Uint8Array = new Uint8Array(0),
  maxMessage: number = DEFAULT_MAX_MESSAGE,
): Buffer {
  const frame = allocFrame(header, body.byteLength, maxMessage);
  frame.set(body, MIN_FRAME);
  return frame;
}

/**
 * The 24-byte header that starts at `offset` (the byte after the length word). Type
 * and status are checked against the protocol; the program is the receiver's policy.
 */
export function decodeHeader(buf: Uint8Array, offset = 0): FrameHeader {
  if (buf.byteLength - offset < HEADER) {
    throw new RpcProtocolError('too-short', `a header needs ${HEADER} bytes, ${Math.max(0, buf.byteLength - offset)} given`);
  }
  const b = asBuffer(buf);
  return {
    program: b.readUInt32BE(offset),
    version: b.readUInt32BE(offset + 4),
    procedure: b.readInt32BE(offset + 8),
    type: checkType(b.readInt32BE(offset + 12)),
    serial: b.readUInt32BE(offset + 16),
    status: checkStatus(b.readInt32BE(offset + 20)),
  };
}

/**
 * Cuts a byte stream into frames. Chunks may split frames anywhere and hold many.
 * A body that lies within one chunk is a view of it (do not reuse pushed chunks);
 * one that spans chunks is copied once into a buffer of its exact size, when its
 * last byte has arrived. The length
 * and header are checked as soon as they arrive, before any body is awaited. The
 * first error poisons the decoder: the connection is to be dropped.
 */
export class FrameDecoder {
  readonly #maxMessage: number;
  readonly #programs: readonly ProgramId[];
  /** Unread input, oldest first; #offset bytes of the first are already read. */
  #chunks: Buffer[] = [];
  #offset = 0;
  #buffered = 0;
  /** Set while the body of a frame whose header was read is awaited. */
  #header: FrameHeader | null = null;
  #bodyLength = 0;
  /** Gathers a length word and header that span chunks. */
  readonly #scratch = Buffer.allocUnsafe(MIN_FRAME);
  #failure: RpcProtocolError | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxMessage = options.maxMessage ?? DEFAULT_MAX_MESSAGE;
    this.#programs = options.programs ?? DEFAULT_PROGRAMS;
  }

  /**
   * Adds a chunk and returns the frames now complete, in order. Iterate the result:
   * decoding happens as it is iterated, and a protocol error is thrown at the point
   * of the bad frame, after the good frames before it.
   */
  push(chunk: Uint8Array): Generator<Frame, void, undefined> {
    this.#checkUsable();
    if (chunk.byteLength > 0) {
      this.#chunks.push(asBuffer(chunk));
      this.#buffered += chunk.byteLength;
    }
    return this.#frames();
  }

  /** Declares the end of the stream: throws 'truncated' if it ended inside a frame. */
  end(): void {
    this.#checkUsable();
    if (this.#header !== null) {
      const want = MIN_FRAME + this.#bodyLength;
      const have = MIN_FRAME + this.#buffered;
      this.#fail('truncated', `the stream ended inside a frame: ${have} of its ${want} bytes arrived`);
    }
    if (this.#buffered > 0) {
      this.#fail('truncated', `the stream ended inside a frame's first ${MIN_FRAME} bytes: ${this.#buffered} arrived`);
    }
  }

  *#frames(): Generator<Frame, void, undefined> {
    for (;;) {
      this.#checkUsable();
      if (this.#header === null && !this.#readPrefix()) return;
      const body = this.#readBody();
      if (body === null) return;
      const header = this.#header!;
      this.#header = null;
      yield { header, body };
    }
  }

  /** Reads and checks the length word and header; false when more input is needed. */
  #readPrefix(): boolean {
    const n = Math.min(this.#buffered, MIN_FRAME);
    if (n < LENGTH_WORD) return false;
    let src = this.#chunks[0]!;
    let at = this.#offset;
    if (src.length - at < n) {
      this.#gather(n);
      src = this.#scratch;
      at = 0;
    }
    const length = src.readUInt32BE(at);
    if (length < MIN_FRAME) {
      this.#fail('too-short', `frame length ${length} is below the minimum of ${MIN_FRAME} (${LENGTH_WORD}-byte length word and ${HEADER}-byte header)`);
    }
    if (length - LENGTH_WORD > this.#maxMessage) {
      this.#fail('too-long', `frame length ${length} exceeds the maximum of ${this.#maxMessage + LENGTH_WORD} (a ${this.#maxMessage}-byte message and the length word)`);
    }
    if (n < MIN_FRAME) return false;
    let header: FrameHeader;
    try {
      header = decodeHeader(src, at + LENGTH_WORD);
    } catch (e) {
      throw this.#poison(e as RpcProtocolError);
    }
    this.#checkProgram(header);
    this.#skip(MIN_FRAME);
    this.#header = header;
    this.#bodyLength = length - MIN_FRAME;
    return true;
  }

  /**
   * The awaited body when complete, else null; a view when it lies in one chunk. A body
   * that spans chunks is gathered only once all of it has arrived: what a frame's length
   * word announces is never allocated ahead of the bytes, so a peer that announces a large
   * frame and sends little holds only what it sent.
   */
  #readBody(): Buffer | null {
    const need = this.#bodyLength;
    const first = this.#chunks[0];
    if (need === 0 || (first !== undefined && first.length - this.#offset >= need)) {
      const body = need === 0 ? Buffer.alloc(0) : first!.subarray(this.#offset, this.#offset + need);
      this.#skip(need);
      return body;
    }
    if (this.#buffered < need) return null;
    const body = Buffer.allocUnsafe(need);
    this.#copyOut(body, 0, need);
    return body;
  }

  #checkProgram(header: FrameHeader): void {
    let programKnown = false;
    for (const p of this.#programs) {
      if (p.program !== header.program) continue;
      if (p.version === header.version) return;
      programKnown = true;
    }
    if (programKnown) {
      this.#fail('bad-version', `program ${hex(header.program)} version ${header.version} is not supported`);
    }
    const accepted = this.#programs.map((p) => hex(p.program)).join(', ');
    this.#fail('bad-program', `unknown program ${hex(header.program)} (accepted: ${accepted})`);
  }

  /** Copies the first `n` unread bytes, which span chunks, into the scratch buffer. */
  #gather(n: number): void {
    let at = this.#offset;
    let done = 0;
    for (let i = 0; done < n; i++) {
      const chunk = this.#chunks[i]!;
      done += chunk.copy(this.#scratch, done, at, Math.min(chunk.length, at + n - done));
      at = 0;
    }
  }

  /** Moves up to `n` unread bytes into `target` at `start`, consuming them; returns the count. */
  #copyOut(target: Buffer, start: number, n: number): number {
    let done = 0;
    while (done < n && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const end = Math.min(chunk.length, this.#offset + n - done);
      done += chunk.copy(target, start + done, this.#offset, end);
      this.#advance(chunk, end);
    }
    this.#buffered -= done;
    return done;
  }

  /** Consumes `n` unread bytes, all buffered. */
  #skip(n: number): void {
    this.#buffered -= n;
    while (n > 0) {
      const chunk = this.#chunks[0]!;
      const end = Math.min(chunk.length, this.#offset + n);
      n -= end - this.#offset;
      this.#advance(chunk, end);
    }
  }

  /** Marks the first chunk read up to `end`, dropping it when exhausted. */
  #advance(chunk: Buffer, end: number): void {
    if (end === chunk.length) {
      this.#chunks.shift();
      this.#offset = 0;
    } else {
      this.#offset = end;
    }
  }

  #checkUsable(): void {
    if (this.#failure !== null) {
      throw new RpcProtocolError('poisoned', `the decoder failed earlier (${this.#failure.reason}: ${this.#failure.message}); drop the connection`, {
        cause: this.#failure,
      });
    }
  }

  #poison(error: RpcProtocolError): RpcProtocolError {
    this.#failure = error;
    this.#chunks = [];
    this.#buffered = 0;
    return error;
  }

  #fail(reason: RpcProtocolError['reason'], message: string): never {
    throw this.#poison(new RpcProtocolError(reason, message));
  }
}
