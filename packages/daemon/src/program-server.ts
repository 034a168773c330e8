import type { ConnectEntry, DomainEventData } from '@tsvirt/core/driver';
import type { VirError } from '@tsvirt/core';
import type { FrameHeader, StreamErrorCodec } from '@tsvirt/core/protocol';
import type { DaemonLimits } from './daemon-limits.js';
import type { SharedConnection } from './driver-pool.js';
import type { ClientAccess } from './network-access.js';

/** The driver's connection, shared with the other clients, and this client's own public connection over it. */
export interface OpenConnection {
  shared: SharedConnection;
  entry: ConnectEntry;
}

/**
 * What a client's session gives the program it speaks: its access, its connection, its
 * event registrations and its socket. The session owns them; a program only encodes.
 */
export interface SessionContext {
  readonly access: ClientAccess;
  readonly limits: DaemonLimits;
  /** the stream is encrypted or local (a unix socket, TLS, stdio): libvirt's virConnectIsSecure */
  readonly secure: boolean;
  /** Opens the client's connection (once) through the daemon's URI policy. */
  open(uri: string, readOnly: boolean): Promise<void>;
  /** The open connection; VIR_ERR_INTERNAL_ERROR "connection not open" before the open call. */
  connection(): OpenConnection;
  /** The client closed its connection: its registrations go, the driver's connection stays for the others. */
  closeConnection(fn: string): void;
  /** Registers for the connection's domain events; the id is the session's. */
  subscribe(fn: string, deliver: (callbackId: number, event: DomainEventData) => void): Promise<number>;
  unsubscribe(callbackId: number): void;
  /** A frame to the client, subject to its unread-bytes limit. */
  write(frame: Uint8Array): void;
}

/**
 * One program's side of the daemon (tsvirt's JSON program, libvirt's REMOTE program): it
 * serves a call's body and encodes the frames of its replies.
 */
export interface ProgramServer {
  /** The reply's value (as `replyFrame` takes it), a promise of it, or a Duplex for a stream's call. */
  serve(proc: number, body: Buffer): unknown;
  replyFrame(call: FrameHeader, value: unknown): Uint8Array;
  errorFrame(call: FrameHeader, error: VirError): Uint8Array;
  /** How the program's streams carry their errors. */
  readonly streamErrors: StreamErrorCodec;
}
