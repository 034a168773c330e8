import { KEEPALIVE_PROGRAM, KeepaliveProcedure } from '../gen/keepalive-program.gen.js';
import { REMOTE_PROGRAM } from '../gen/remote-program.gen.js';

/*
 * The numbers of libvirt's RPC wire protocol (src/rpc/virnetprotocol.x in libvirt; its
 * programs' own numbers are generated from api.xml), plus tsvirt's own program number.
 */

/** Program numbers: the first header field, naming who interprets the frame. */
export const Program = {
  /** libvirt's remote program (REMOTE_PROGRAM): XDR bodies. */
  REMOTE: REMOTE_PROGRAM.number,
  /** libvirt's keepalive program, "keep" in ASCII. */
  KEEPALIVE: KEEPALIVE_PROGRAM.number,
  /** tsvirt's program, "tsvr" in ASCII: JSON bodies. */
  TSVIRT: 0x74737672,
} as const;
export type Program = (typeof Program)[keyof typeof Program];

/** The one version of each program (the second header field). */
export const ProgramVersion = {
  REMOTE: REMOTE_PROGRAM.version,
  KEEPALIVE: KEEPALIVE_PROGRAM.version,
  TSVIRT: 1,
} as const satisfies Record<keyof typeof Program, number>;

/** The keepalive program's procedures; both are sent as MESSAGE with an empty body. */
export { KeepaliveProcedure };

/** The header's type field (virNetMessageType). */
export const MessageType = {
  CALL: 0,
  REPLY: 1,
  /** An asynchronous event, or a keepalive. */
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
  STREAM_HOLE: 6,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The header's status field (virNetMessageStatus). */
export const MessageStatus = {
  OK: 0,
  ERROR: 1,
  /** More stream data follows. */
  CONTINUE: 2,
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

const MESSAGE_MAX = 32 * 1024 * 1024;
const HEADER = 24;

/** Sizes in bytes. */
export const FrameSize = {
  /** The big-endian length word that starts every frame and counts itself; libvirt's first read. */
  LENGTH_WORD: 4,
  /** Six 4-byte fields: program, version, procedure, type, serial, status. */
  HEADER,
  /** A frame with an empty body: length word plus header. */
  MIN_FRAME: 4 + HEADER,
  /**
   * libvirt's VIR_NET_MESSAGE_MAX, the default bound of header plus body. As in libvirt,
   * the length word is not counted: a frame's length word may say up to 4 more.
   */
  DEFAULT_MAX_MESSAGE: MESSAGE_MAX,
  /** The largest body that fits the default bound (libvirt's VIR_NET_MESSAGE_PAYLOAD_MAX). */
  DEFAULT_MAX_BODY: MESSAGE_MAX - HEADER,
} as const;
