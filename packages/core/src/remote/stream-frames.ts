import { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError, toVirError, type VirErrorData } from '../errors/vir-error.js';
import { decodeErrorBody, encodeErrorBody } from '../rpc/json-body-codec.js';
import { MessageStatus } from '../rpc/rpc-constants.js';

// A stream travels as in libvirt: once the call that opened it has been answered,
// STREAM frames under that call's procedure and serial go both ways: data with status
// CONTINUE, the end of one direction with OK and an empty body, a failure with ERROR
// and the VirError in the program's error form (JSON for tsvirt's, remote_error for
// libvirt's). Who frames them (header, serial) is the sender's business.

/** How a program carries a stream's error: the body of an ERROR frame, both ways. */
export interface StreamErrorCodec {
  encode(error: VirError): Uint8Array;
  /** throws when the body is not an error of this program */
  decode(body: Uint8Array): VirErrorData;
}

/** tsvirt's own program: the error as JSON. */
export const jsonStreamErrors: StreamErrorCodec = { encode: encodeErrorBody, decode: decodeErrorBody };

/** Sends one STREAM frame of this stream. */
export type SendStreamFrame = (status: MessageStatus, body?: Uint8Array) => void;

/** The connection's socket, for flow control: data waits while the peer reads slower than it comes. */
export interface StreamPeer {
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** How much may wait to be written to a serving end (a guest's console) before the stream is given up. */
export const STREAM_BACKLOG_MAX = 4 * 1024 * 1024;

/** One end of a stream as the connection sees it: frames from the peer come in, a lost connection ends it. */
export interface StreamLink {
  receive(status: number, body: Uint8Array): void;
  /** The connection is gone: with the error when it was lost, without when it was closed on purpose. */
  abort(error?: VirError): void;
}

interface Sink {
  data(chunk: Buffer): void;
  end(): void;
  fail(error: VirError): void;
}

/** A frame from the peer, to what the local side does with it. Bodies are copied: the decoder's buffer is reused. */
function receiveInto(sink: Sink, errors: StreamErrorCodec, status: number, body: Uint8Array): void {
  if (status === MessageStatus.CONTINUE) sink.data(Buffer.from(body));
  else if (status === MessageStatus.OK) sink.end();
  else sink.fail(peerError(errors, body));
}

/** The error a peer's ERROR frame carries; one whose body does not decode fails the stream all the same. */
function peerError(errors: StreamErrorCodec, body: Uint8Array): VirError {
  try {
    return new VirError(errors.decode(body));
  } catch {
    return VirError.of(ErrorNumber.RPC, ErrorDomain.STREAMS, `the peer ended the stream with an error of ${body.length} bytes that does not decode`);
  }
}

/** The client's end: a Duplex whose writes go to the peer (at the pace its socket takes them) and whose reads are what the peer sends. */
export function remoteStream(send: SendStreamFrame, peer: StreamPeer, errors: StreamErrorCodec = jsonStreamErrors): StreamLink & { stream: Duplex } {
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      send(MessageStatus.CONTINUE, chunk);
      if (peer.writableNeedDrain) peer.once('drain', () => done());
      else done();
    },
    final(done) {
      send(MessageStatus.OK);
      done();
    },
  });
  const sink: Sink = { data: (chunk) => stream.push(chunk), end: () => stream.push(null), fail: (e) => stream.destroy(e) };
  return { stream, receive: (status, body) => receiveInto(sink, errors, status, body), abort: (e) => stream.destroy(e) };
}

/**
 * The serving end: a driver's Duplex (a guest's console) relayed to the peer until
 * either side ends it. A guest that writes faster than the peer reads is paused (its
 * pty fills and it waits); a peer that writes far more than the guest takes fails the stream.
 */
export function relayStream(local: Duplex, send: SendStreamFrame, peer: StreamPeer, errors: StreamErrorCodec = jsonStreamErrors): StreamLink {
  let over = false;
  const finish = (status: MessageStatus, body?: Uint8Array) => {
    if (!over) send(status, body);
    over = true;
  };
  local.on('data', (chunk: Buffer) => {
    send(MessageStatus.CONTINUE, chunk);
    if (peer.writableNeedDrain) {
      local.pause();
      peer.once('drain', () => local.resume());
    }
  });
  local.once('end', () => finish(MessageStatus.OK));
  local.once('error', (e) => finish(MessageStatus.ERROR, errors.encode(toVirError(e, ErrorDomain.STREAMS))));
  // Destroyed without an end (another session forced its way to the console): over all the same.
  local.once('close', () => finish(MessageStatus.OK));
  const sink: Sink = {
    data: (chunk) => {
      if (local.writableLength + chunk.length <= STREAM_BACKLOG_MAX) local.write(chunk);
      else local.destroy(VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.STREAMS, `more than ${STREAM_BACKLOG_MAX} bytes wait to be written to the stream`));
    },
    end: () => local.end(),
    fail: (e) => local.destroy(e),
  };
  return { receive: (status, body) => receiveInto(sink, errors, status, body), abort: () => local.destroy() };
}
