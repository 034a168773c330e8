import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError, type VirErrorData } from '../errors/vir-error.js';
import type { DomainEventData } from '../gen/driver.gen.js';
import { eventProcedures, procedures } from '../gen/procedures.gen.js';
import { remote_error } from '../gen/remote-program.gen.js';
import type { FrameHeader } from '../rpc/frame-codec.js';
import { decodeErrorBody, decodeJsonBody, encodeJsonFrame } from '../rpc/json-body-codec.js';
import { Program, ProgramVersion } from '../rpc/rpc-constants.js';
import { errorFromWire, type RemoteErrorValue } from '../rpc/wire-values.js';
import { decodeXdr } from '../rpc/xdr/xdr-reader.js';
import { jsonStreamErrors, type StreamErrorCodec } from './stream-frames.js';
import { ConnectionProcedure, type EventMessageBody, type OpenCallBody } from './remote-protocol.js';

/** What a program's session steps need of the channel. */
export interface CallChannel {
  call(proc: number, args: unknown): Promise<unknown>;
}

/** An event as a program delivers it: the registration it is for, and the event. */
export interface ReceivedEvent {
  callbackId: number;
  event: DomainEventData;
}

/**
 * One program as a client speaks it: tsvirt's own (JSON bodies) or libvirt's REMOTE
 * program (XDR bodies). The framing, serials and keepalive are the same for both; the
 * bodies, the calls that open a session and the way events are registered differ. A body
 * that does not decode throws.
 */
export interface WireProgram {
  readonly name: 'tsvirt' | 'remote';
  readonly program: number;
  readonly version: number;
  /** The whole CALL frame of `proc` with its arguments. */
  callFrame(header: FrameHeader, proc: number, args: unknown): Buffer;
  /** A REPLY's value; `args`: what the call was made with. */
  reply(proc: number, body: Buffer, args: unknown): unknown;
  /** How a stream's ERROR frames carry their error. */
  readonly streamErrors: StreamErrorCodec;
  /** An ERROR reply's error. */
  error(body: Buffer): VirErrorData;
  /** A MESSAGE: an event, or null for one this client does not take. */
  message(proc: number, body: Buffer): ReceivedEvent | null;
  /** The calls that make a fresh link a session on the far side's `uri`. */
  open(channel: CallChannel, uri: string, readOnly: boolean): Promise<void>;
  /** Registers for every kind of domain event; the far side's ids for the registration. */
  registerEvents(channel: CallChannel): Promise<number[]>;
  deregisterEvents(channel: CallChannel, ids: readonly number[]): Promise<void>;
  close(channel: CallChannel): Promise<void>;
}

const procOf = (driverName: string): number => procedures.find((p) => p.driverName === driverName)!.proc;
const REGISTER_PROC = procOf('connectDomainEventRegister');
const DEREGISTER_PROC = procOf('connectDomainEventDeregister');
const CLOSE_PROC = procOf('connectClose');
const eventKinds = new Map(eventProcedures.map((e) => [e.proc, e.kind]));

/**
 * An error reply in libvirt's own form (remote_error, XDR): what a libvirt daemon answers
 * to a call of a program it does not serve, whatever that program's bodies are.
 */
function libvirtError(body: Buffer, jsonFailure: unknown): VirErrorData {
  try {
    return errorFromWire(decodeXdr(remote_error, body, 'remote_error') as RemoteErrorValue);
  } catch {
    throw jsonFailure;
  }
}

/** tsvirt's program: JSON bodies, the arguments as an array in api.xml's order. */
export const tsvirtProgram: WireProgram = {
  name: 'tsvirt',
  program: Program.TSVIRT,
  version: ProgramVersion.TSVIRT,
  callFrame: (header, _proc, args) => encodeJsonFrame(header, args),
  reply: (_proc, body) => decodeJsonBody(body),
  streamErrors: jsonStreamErrors,
  error(body) {
    try {
      return decodeErrorBody(body);
    } catch (e) {
      return libvirtError(body, e);
    }
  },
  message(proc, body) {
    const kind = eventKinds.get(proc);
    if (kind === undefined) return null;
    const { callbackId, ...fields } = decodeJsonBody(body) as EventMessageBody;
    return { callbackId, event: { ...fields, kind } as DomainEventData };
  },
  async open(channel, uri, readOnly) {
    await channel.call(ConnectionProcedure.OPEN, { uri, readOnly } satisfies OpenCallBody);
  },
  registerEvents: async (channel) => [(await channel.call(REGISTER_PROC, [])) as number],
  async deregisterEvents(channel, ids) {
    for (const id of ids) await channel.call(DEREGISTER_PROC, [id]);
  },
  async close(channel) {
    await channel.call(CLOSE_PROC, []);
  },
};

/**
 * Whether an open call's failure is a libvirt daemon saying that it does not serve
 * tsvirt's program (virNetServerProgramUnknownError): the peer speaks libvirt's own.
 */
export function isUnknownProgram(e: unknown): boolean {
  return VirError.is(e, ErrorNumber.RPC, ErrorDomain.RPC) && e.message.startsWith('Cannot find program');
}
