/** What was wrong, as a stable code that callers and tests can match on. */
export type RpcProtocolErrorReason =
  | 'too-short' // a frame's length word is below the length word plus the header
  | 'too-long' // a frame or body is larger than the configured maximum
  | 'bad-program' // a program number the receiver does not serve
  | 'bad-version' // a known program at a version the receiver does not speak
  | 'bad-type' // a message type outside the protocol's enumeration
  | 'bad-status' // a message status outside the protocol's enumeration
  | 'truncated' // the stream ended inside a frame
  | 'bad-utf8' // a JSON body that is not UTF-8
  | 'bad-json' // a JSON body that does not parse, or a value that cannot be sent as JSON
  | 'bad-error-body' // an error reply whose body is not a libvirt error
  | 'bad-xdr' // an XDR body that does not decode as its type, or a value that does not fit it
  | 'poisoned'; // a decoder used again after it failed

/**
 * A peer broke the wire protocol (or a value cannot be put on the wire). On a decoder
 * this is fatal for the connection: the byte stream can no longer be trusted to be
 * aligned on frames, so the connection is to be dropped, as libvirt does.
 */
export class RpcProtocolError extends Error {
  override name = 'RpcProtocolError';
  readonly reason: RpcProtocolErrorReason;

  constructor(reason: RpcProtocolErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
