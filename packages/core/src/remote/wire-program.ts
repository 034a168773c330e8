import type { VirErrorData } from '../errors/vir-error.js';
import type { FrameHeader } from '../rpc/frame-codec.js';
import { decodeErrorBody, decodeJsonBody, encodeJsonFrame } from '../rpc/json-body-codec.js';
import { Program, ProgramVersion } from '../rpc/rpc-constants.js';

/**
 * How one program's bodies are written and read by a client: tsvirt's own (JSON) or
 * libvirt's REMOTE program (XDR). The framing, serials and keepalive are the same for
 * both; only the bodies differ. A body that does not decode throws.
 */
export interface WireProgram {
  readonly name: 'tsvirt' | 'remote';
  readonly program: number;
  readonly version: number;
  /** The whole CALL frame of `proc` with its arguments. */
  callFrame(header: FrameHeader, proc: number, args: unknown): Buffer;
  /** A REPLY's value. */
  reply(proc: number, body: Buffer): unknown;
  /** An ERROR reply's error. */
  error(body: Buffer): VirErrorData;
  /** A MESSAGE's body (an event). */
  message(proc: number, body: Buffer): unknown;
}

/** tsvirt's program: JSON bodies, the arguments as an array in api.xml's order. */
export const tsvirtProgram: WireProgram = {
  name: 'tsvirt',
  program: Program.TSVIRT,
  version: ProgramVersion.TSVIRT,
  callFrame: (header, _proc, args) => encodeJsonFrame(header, args),
  reply: (_proc, body) => decodeJsonBody(body),
  error: (body) => decodeErrorBody(body),
  message: (_proc, body) => decodeJsonBody(body),
};
