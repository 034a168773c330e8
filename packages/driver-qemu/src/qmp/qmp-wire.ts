// QMP's wire format: each message is one JSON object followed by a newline
// (QEMU writes "\r\n"; the JSON parser ignores the "\r"). A read from the socket
// may hold part of a message or several, so the decoder buffers bytes and cuts
// on newline bytes. Cutting on bytes, not characters, is safe for UTF-8: a
// newline byte never occurs inside a multi-byte sequence, and JSON strings
// escape newlines, so a raw newline always ends a message. This assumes QMP's
// default compact output: a monitor opened with "pretty=on" is not supported.

/** Version triple and package string that QEMU reports in its greeting and in query-version. */
export interface QemuVersion {
  major: number;
  minor: number;
  micro: number;
  package: string;
}

export interface QmpGreeting {
  kind: 'greeting';
  version: QemuVersion;
  capabilities: string[];
}

export type QmpId = string | number;

export interface QmpReturn {
  kind: 'return';
  id?: QmpId;
  value: unknown;
}

export interface QmpErrorReply {
  kind: 'error';
  id?: QmpId;
  errorClass: string;
  desc: string;
}

export interface QmpEvent {
  kind: 'event';
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

export type QmpMessage = QmpGreeting | QmpReturn | QmpErrorReply | QmpEvent;

/** The bytes on the monitor are not QMP: the connection cannot be trusted any further. */
export class QmpWireError extends Error {
  override name = 'QmpWireError';
}

/**
 * Largest message accepted, in bytes. libvirt uses the same bound; the biggest
 * reply QEMU 7.2 sends, query-qmp-schema, is about 200 KiB.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const NEWLINE = 0x0a;

export class QmpDecoder {
  readonly #maxMessageBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failure: QmpWireError | undefined;

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Bytes held that do not yet make a whole message. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Feed bytes read from the monitor. Every complete message is handed to
   * `onMessage` in order. Garbage or an oversized message throws QmpWireError
   * after the messages before it were delivered; the decoder then stays failed,
   * since what follows cannot be framed reliably. The whole chunk is framed
   * before any delivery, so a throwing `onMessage` leaves the buffer consistent.
   */
  push(chunk: Uint8Array | string, onMessage: (message: QmpMessage) => void): void {
    if (this.#failure) throw this.#failure;
    const messages: QmpMessage[] = [];
    try {
      this.#frame(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), messages);
    } catch (err) {
      if (!(err instanceof QmpWireError)) throw err;
      this.#failure = err;
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    for (const message of messages) onMessage(message);
    if (this.#failure) throw this.#failure;
  }

  #frame(bytes: Buffer, messages: QmpMessage[]): void {
    let nl = bytes.indexOf(NEWLINE);
    while (nl !== -1) {
      const tail = bytes.subarray(0, nl);
      this.#checkSize(this.#pendingBytes + tail.length);
      const line = this.#pendingBytes === 0 ? tail : Buffer.concat([...this.#pending, tail]);
      this.#pending = [];
      this.#pendingBytes = 0;
      bytes = bytes.subarray(nl + 1);
      const text = line.toString('utf8').trim();
      if (text !== '') messages.push(parseQmpMessage(text));
      nl = bytes.indexOf(NEWLINE);
    }
    if (bytes.length > 0) {
      this.#checkSize(this.#pendingBytes + bytes.length);
      // Copy: the caller may reuse the chunk's memory after push returns.
      this.#pending.push(Buffer.from(bytes));
      this.#pendingBytes += bytes.length;
    }
  }

  #checkSize(size: number): void {
    if (size > this.#maxMessageBytes) {
      throw new QmpWireError(`QMP message exceeds ${this.#maxMessageBytes} bytes`);
    }
  }
}

/** Parse one line of QMP text and say what kind of message it is. */
export function parseQmpMessage(text: string): QmpMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new QmpWireError(`QMP message is not JSON: ${excerpt(text)}`);
  }
  return classifyQmpMessage(value, text);
}

/** Say what kind of QMP message a decoded JSON value is, or throw QmpWireError. */
export function classifyQmpMessage(value: unknown, text = JSON.stringify(value) ?? String(value)): QmpMessage {
  if (!isObject(value)) throw new QmpWireError(`QMP message is not a JSON object: ${excerpt(text)}`);
  const id = value.id;
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new QmpWireError(`QMP message has an id that is neither string nor number: ${excerpt(text)}`);
  }
  if ('return' in value) return { kind: 'return', ...(id === undefined ? {} : { id }), value: value.return };
  if ('error' in value) {
    const error = value.error;
    if (!isObject(error) || typeof error.class !== 'string' || typeof error.desc !== 'string') {
      throw new QmpWireError(`QMP error reply lacks class or desc: ${excerpt(text)}`);
    }
    return { kind: 'error', ...(id === undefined ? {} : { id }), errorClass: error.class, desc: error.desc };
  }
  if (typeof value.event === 'string') {
    const data = value.data === undefined ? {} : value.data;
    const ts = value.timestamp;
    if (!isObject(data) || !isObject(ts) || typeof ts.seconds !== 'number' || typeof ts.microseconds !== 'number') {
      throw new QmpWireError(`QMP event has a malformed data or timestamp: ${excerpt(text)}`);
    }
    return { kind: 'event', event: value.event, data, timestamp: { seconds: ts.seconds, microseconds: ts.microseconds } };
  }
  if (isObject(value.QMP)) {
    const version = value.QMP.version;
    const capabilities = value.QMP.capabilities;
    const qemu = isObject(version) ? version.qemu : undefined;
    if (
      !isObject(version) || !isObject(qemu) ||
      typeof qemu.major !== 'number' || typeof qemu.minor !== 'number' || typeof qemu.micro !== 'number' ||
      !Array.isArray(capabilities) || !capabilities.every((c) => typeof c === 'string')
    ) {
      throw new QmpWireError(`QMP greeting is malformed: ${excerpt(text)}`);
    }
    return {
      kind: 'greeting',
      version: {
        major: qemu.major,
        minor: qemu.minor,
        micro: qemu.micro,
        package: typeof version.package === 'string' ? version.package : '',
      },
      capabilities: capabilities as string[],
    };
  }
  throw new QmpWireError(`QMP message is neither greeting, return, error nor event: ${excerpt(text)}`);
}

/** One command as QEMU reads it: a JSON object and a newline. */
export function encodeQmpCommand(execute: string, args?: Record<string, unknown>, id?: QmpId): string {
  if (typeof execute !== 'string' || execute === '') throw new TypeError('QMP command name must be a non-empty string');
  const message: Record<string, unknown> = { execute };
  if (args !== undefined) message.arguments = args;
  if (id !== undefined) message.id = id;
  // JSON.stringify escapes control characters, so the only newline is the terminator.
  return JSON.stringify(message) + '\n';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text);
}
