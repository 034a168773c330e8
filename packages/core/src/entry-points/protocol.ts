/**
 * @tsvirt/core/protocol: the wire between clients and tsvirtd: frames and their codecs,
 * the procedure table, keepalive, streams, socket locations and the transports a URI names.
 */
export * from '../rpc/index.js';
export { remoteProcedures, remoteProcedureByNumber, remote_error } from '../gen/remote-program.gen.js';
/** libvirt's REMOTE program: its procedure numbers (remoteXdr.RemoteProcedure), XDR types and limits by libvirt's names (remote_nonnull_domain, REMOTE_STRING_MAX, ...). */
export * as remoteXdr from '../gen/remote-program.gen.js';
export {
  procedures, procedureByNumber, eventProcedures, type Procedure, type ProcedureArg, type EventProcedure,
} from '../gen/procedures.gen.js';
export {
  ConnectionProcedure, plainDomainRef, plainRef, isRefType, type OpenCallBody, type EventMessageBody,
} from '../remote/remote-protocol.js';
export {
  jsonStreamErrors, relayStream, remoteStream, STREAM_BACKLOG_MAX, type SendStreamFrame, type StreamErrorCodec, type StreamLink, type StreamPeer,
} from '../remote/stream-frames.js';
export { remoteStreamErrors } from '../remote/remote-wire-program.js';
export { TLS_CONFIRMATION } from '../remote/transports/socket-transport.js';
export { RW_SOCKET_NAME, RO_SOCKET_NAME, DEFAULT_TCP_PORT, DEFAULT_TLS_PORT, defaultSocketDir, defaultSocketPath } from '../remote/socket-paths.js';
export { connectTransport } from '../remote/transports/connect-transport.js';
