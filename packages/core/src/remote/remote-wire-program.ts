import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainEventData } from '../gen/driver.gen.js';
import { eventProcedures } from '../gen/procedures.gen.js';
import { RemoteProcedure, remote_error, remoteProcedureByNumber } from '../gen/remote-program.gen.js';
import { encodeFrame } from '../rpc/frame-codec.js';
import { Program, ProgramVersion } from '../rpc/rpc-constants.js';
import type { WireProcedure } from '../rpc/wire-procedure.js';
import { callArgsToWire, errorFromWire, errorToWire, eventFromWire, replyFromWire, type RemoteErrorValue } from '../rpc/wire-values.js';
import { decodeXdr } from '../rpc/xdr/xdr-reader.js';
import { encodeXdr } from '../rpc/xdr/xdr-writer.js';
import type { XdrType } from '../rpc/xdr/xdr-types.js';
import { WithMembers, withSnapshotDomains } from './remote-calls.js';
import type { StreamErrorCodec } from './stream-frames.js';
import type { WireProgram } from './wire-program.js';

// libvirt's REMOTE program as its own client speaks it (remote_driver.c's doRemoteOpen):
// AUTH_LIST, then the keepalive feature, then CONNECT_OPEN; events through the callback
// registrations (one per event kind), which libvirt's daemons have served since 1.2.1.

/** remote_auth_type */
const AuthType = { NONE: 0, SASL: 1, POLKIT: 2 } as const;
const AUTH_NAMES: Record<number, string> = { [AuthType.SASL]: 'sasl', [AuthType.POLKIT]: 'polkit' };
/** virDrvFeature: strings among typed parameters; the peer answers keepalive PINGs */
export const Feature = { TYPED_PARAM_STRING: 9, PROGRAM_KEEPALIVE: 10 } as const;
/** virConnectFlags' VIR_CONNECT_RO */
const CONNECT_RO = 1;
const VOID: XdrType = { kind: 'void' };

function procedure(number: number): WireProcedure {
  const p = remoteProcedureByNumber.get(number);
  if (p === undefined) throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, `unknown procedure: ${number}`);
  return p;
}

/** libvirt's program: a stream's error as remote_error, as libvirt's daemon and client send it. */
export const remoteStreamErrors: StreamErrorCodec = {
  encode: (error) => encodeXdr(remote_error, errorToWire(error)),
  decode: (body) => errorFromWire(decodeXdr(remote_error, body, 'remote_error') as RemoteErrorValue),
};

export const remoteProgram: WireProgram = {
  name: 'remote',
  program: Program.REMOTE,
  version: ProgramVersion.REMOTE,
  /** An API call's arguments are tsvirt's (converted here); a session call's are the XDR value itself. */
  callFrame(header, proc, args) {
    const p = procedure(proc);
    const { api, members } = WithMembers.of(args);
    const value = p.served === 'api' ? withSnapshotDomains(p, api, callArgsToWire(p, api, members)) : args;
    return encodeFrame(header, p.args === null ? undefined : encodeXdr(p.args, value, p.name));
  },
  reply(proc, body, args) {
    const p = procedure(proc);
    const decoded = decodeXdr(p.ret ?? VOID, body, p.name);
    return p.served === 'api' ? replyFromWire(p, decoded, WithMembers.of(args).members) : decoded;
  },
  error: remoteStreamErrors.decode,
  streamErrors: remoteStreamErrors,
  message(proc, body) {
    const p = remoteProcedureByNumber.get(proc);
    // only the callback form's messages: this client registers no other
    if (p === undefined || p.served !== 'event' || !p.callback || p.args === null) return null;
    const { callbackId, event } = eventFromWire(p, decodeXdr(p.args, body, p.name));
    return { callbackId, event: event as DomainEventData };
  },
  async open(channel, uri, readOnly) {
    const { types } = (await channel.call(RemoteProcedure.AUTH_LIST, undefined)) as { types: number[] };
    // No list, or one that offers none: the daemon lets this client in as it is.
    if (types.length > 0 && !types.includes(AuthType.NONE)) {
      const offered = types.map((t) => AUTH_NAMES[t] ?? String(t)).join(', ');
      throw VirError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.REMOTE, `the daemon asks for authentication this client does not offer (${offered})`);
    }
    await channel.call(RemoteProcedure.CONNECT_SUPPORTS_FEATURE, { feature: Feature.PROGRAM_KEEPALIVE });
    await channel.call(RemoteProcedure.CONNECT_OPEN, { name: uri, flags: readOnly ? CONNECT_RO : 0 });
  },
  async registerEvents(channel) {
    const ids: number[] = [];
    try {
      for (const e of eventProcedures) {
        const ret = (await channel.call(RemoteProcedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: e.id, dom: null })) as { callbackID: number };
        ids.push(ret.callbackID);
      }
    } catch (e) {
      await this.deregisterEvents(channel, ids).catch(() => undefined);
      throw e;
    }
    return ids;
  },
  async deregisterEvents(channel, ids) {
    for (const callbackID of ids) await channel.call(RemoteProcedure.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID });
  },
  async close(channel) {
    await channel.call(RemoteProcedure.CONNECT_CLOSE, undefined);
  },
};
