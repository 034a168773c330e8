import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { invalidConnection, type DomainEventData } from '@tsvirt/core/driver';
import {
  MessageStatus, MessageType, Program, ProgramVersion, XdrError, callArgsFromWire, eventProcedures, decodeXdr, encodeFrame, encodeXdr,
  eventToWire, mapsLayout, narrowReply, plainRef, remoteProcedureByNumber, remoteProcedures, remoteXdr, replyToWire,
  remoteStreamErrors, resolveByUuid, type FrameHeader, type WireProcedure,
} from '@tsvirt/core/protocol';
import { callArgs, callEntry, procedureFor } from './entry-dispatch.js';
import type { ProgramServer, SessionContext } from './program-server.js';

// libvirt's REMOTE program, so that libvirt's own clients (virsh, libvirt-python,
// Sys::Virt, ...) manage tsvirtd. A call is decoded by the generated tables and made
// through the same checked path as a JSON call (entry-dispatch.ts): the read-only rule,
// argument checks and error mapping are the same. Only the connection's own procedures
// (open, authentication, features, event registration) are served here.

const P = remoteXdr.RemoteProcedure;

/** libvirt's virDrvFeature numbers that tsvirtd supports (the rest are migration's). */
const Feature = { TYPED_PARAM_STRING: 9, PROGRAM_KEEPALIVE: 10, REMOTE_EVENT_CALLBACK: 14 } as const;
const SUPPORTED_FEATURES: ReadonlySet<number> = new Set(Object.values(Feature));

/** VIR_TYPED_PARAM_STRING_OKAY: libvirt's client adds it to typed-parameter reads when the daemon has TYPED_PARAM_STRING. */
const TYPED_PARAM_STRING_OKAY = 4;
/**
 * The calls whose replies carry typed parameters and that take flags: tsvirt's calls may
 * always answer strings among them, so the flag that allows it is taken off before the call.
 */
const STRING_OKAY_CALLS: ReadonlySet<number> = new Set(remoteProcedures
  .filter((p) => p.reply?.kind === 'value' && p.reply.shape.k === 'params' && p.argMap?.some((a) => a.member === 'flags'))
  .map((p) => p.number));

/** libvirt's VIR_CONNECT_RO, the open call's read-only flag. */
const CONNECT_RO = 1;
/** REMOTE_AUTH_NONE: unix sockets are guarded by their file modes, TCP and TLS by the listener's policy. */
const AUTH_NONE = 0;

/** libvirt's virDomainEventID of each event kind api.xml declares. */
const eventIdOf = new Map<string, number>();
/** The message procedures of each event kind: the callback form and the legacy form. */
const messageOf = new Map<string, { callback?: WireProcedure; legacy?: WireProcedure }>();
for (const p of remoteProcedures.filter((x) => x.served === 'event')) {
  const forms = messageOf.get(p.event!) ?? {};
  forms[p.callback ? 'callback' : 'legacy'] = p;
  messageOf.set(p.event!, forms);
}
for (const e of eventProcedures) eventIdOf.set(e.kind, e.id);

/** libvirt's VIR_DOMAIN_EVENT_ID_LAST in 9.0: registrations for ids below it are accepted (events tsvirt has no source for never come). */
const EVENT_ID_LAST = 26;

const rpcError = (message: string) => VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, message);

interface Registration {
  eventId: number;
  /** the domain's UUID the client filters on, or null for all */
  domain: string | null;
  legacy: boolean;
}

export class RemoteProgram implements ProgramServer {
  /** The client's registrations, by the session's callback id. */
  readonly #registrations = new Map<number, Registration>();

  readonly streamErrors = remoteStreamErrors;

  constructor(private readonly session: SessionContext) {}

  serve(proc: number, body: Buffer): unknown {
    const p = remoteProcedureByNumber.get(proc);
    // as libvirtd answers a procedure it does not know
    if (!p || p.served === 'event') throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.RPC, `unknown procedure: ${proc}`);
    const args = this.#decode(p, body);
    switch (p.served) {
      case 'unmapped':
        throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.RPC, `${p.name} is not served by tsvirtd: ${p.why}`);
      case 'session':
        return this.#session(p, args as Record<string, unknown>);
      default:
        return this.#call(p, args);
    }
  }

  /** `value`: the encoded reply; nothing for a stream's call. */
  replyFrame(call: FrameHeader, value: unknown): Uint8Array {
    return encodeFrame({ ...call, type: MessageType.REPLY, status: MessageStatus.OK }, value as Uint8Array | undefined, this.session.limits.maxMessage);
  }

  errorFrame(call: FrameHeader, error: VirError): Uint8Array {
    return encodeFrame({ ...call, type: MessageType.REPLY, status: MessageStatus.ERROR }, remoteStreamErrors.encode(error), this.session.limits.maxMessage);
  }

  /** A call's body, decoded and checked against its XDR type: a malformed one is libvirt's RPC error, and the session goes on. */
  #decode(p: WireProcedure, body: Buffer): unknown {
    if (p.args === null) {
      if (body.length !== 0) throw rpcError(`${p.name} takes no arguments, ${body.length} bytes were sent`);
      return undefined;
    }
    try {
      return decodeXdr(p.args, body, 'args');
    } catch (e) {
      if (e instanceof XdrError) throw rpcError(`unable to decode the arguments of ${p.name}: ${e.message}`);
      throw e;
    }
  }

  /** A reply's value encoded as the procedure's XDR reply. */
  #encode(p: WireProcedure, value: unknown): Buffer {
    return p.ret === null ? Buffer.alloc(0) : encodeXdr(p.ret, value, 'ret');
  }

  /**
   * An API call, through the one checked path; its value (or the object it named, with its
   * new id) as libvirt's reply, laid out as the call asked (CPU maps, objects to narrow to).
   */
  async #call(p: WireProcedure, decoded: unknown): Promise<unknown> {
    const api = procedureFor(p.apiProc!);
    const call = decoded as Record<string, unknown>;
    if (STRING_OKAY_CALLS.has(p.number)) call.flags = (call.flags as number) & ~TYPED_PARAM_STRING_OKAY;
    const args = callArgs(api, callArgsFromWire(p, call));
    if (p.reply?.kind === 'maps') this.#checked(p, () => mapsLayout(p, call));
    const { entry } = this.session.connection();
    const value = await callEntry(entry, api, args);
    if (p.reply?.kind === 'stream') return value;
    const self = p.reply?.kind === 'self' ? { ...(args[0] as object), ...(value as object) } : undefined;
    // the wire names whole the objects the API names by UUID
    const lookup = async (uuid: string) => plainRef('Domain', await entry.lookupDomainByUUID(uuid));
    const named = await resolveByUuid(p, narrowReply(p, value, call), lookup);
    return this.#encode(p, this.#checked(p, () => replyToWire(p, named, self, call)));
  }

  /** A layout the call asks for that the reply cannot have is libvirt's RPC error, and the session goes on. */
  #checked<T>(p: WireProcedure, layout: () => T): T {
    try {
      return layout();
    } catch (e) {
      if (e instanceof XdrError) throw rpcError(`${p.name}: ${e.message}`);
      throw e;
    }
  }

  #session(p: WireProcedure, args: Record<string, unknown>): unknown {
    switch (p.number) {
      case P.AUTH_LIST:
        return this.#encode(p, { types: [AUTH_NONE] });
      case P.CONNECT_SUPPORTS_FEATURE:
        return this.#encode(p, { supported: SUPPORTED_FEATURES.has(args.feature as number) ? 1 : 0 });
      case P.CONNECT_OPEN:
        return this.#open(p, args);
      case P.CONNECT_IS_SECURE:
        return this.#encode(p, { secure: this.session.secure ? 1 : 0 });
      case P.CONNECT_CLOSE:
        this.session.closeConnection('virConnectClose');
        this.#registrations.clear();
        return this.#encode(p, undefined);
      case P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        return this.#register(p, args.eventID as number, (args.dom as { uuid: Uint8Array } | null)?.uuid ?? null, false);
      case P.CONNECT_DOMAIN_EVENT_REGISTER_ANY:
        return this.#register(p, args.eventID as number, null, true);
      case P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY:
        return this.#deregister(p, args.callbackID as number);
      case P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY:
        return this.#deregisterLegacy(p, args.eventID as number);
      case P.STORAGE_VOL_GET_PATH:
        return this.#volumePath(p, args.vol as { key: string });
      default:
        // the close callbacks are not advertised (REMOTE_CLOSE_CALLBACK), as by a libvirtd without them
        throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.RPC, `unknown procedure: ${p.number}`);
    }
  }

  /** A volume's path: tsvirt's volume reference carries it, libvirt's names the volume by pool, name and key. */
  async #volumePath(p: WireProcedure, vol: { key: string }): Promise<Buffer> {
    // found through the checked path, by the key libvirt's reference carries (a volume that has gone is libvirt's error)
    const { entry } = this.session.connection();
    return this.#encode(p, { name: (await entry.lookupStorageVolByKey(vol.key)).path });
  }

  async #open(p: WireProcedure, args: Record<string, unknown>): Promise<Buffer> {
    if (typeof args.name !== 'string') {
      throw VirError.of(ErrorNumber.ACCESS_DENIED, ErrorDomain.RPC, 'tsvirtd opens the URI a client names: the open call named none');
    }
    await this.session.open(args.name, ((args.flags as number) & CONNECT_RO) !== 0);
    return this.#encode(p, undefined);
  }

  async #register(p: WireProcedure, eventId: number, uuid: Uint8Array | null, legacy: boolean): Promise<Buffer> {
    const fn = 'virConnectDomainEventRegisterAny';
    const { entry } = this.session.connection();
    if (entry.closed) throw invalidConnection(fn);
    if (!(eventId >= 0 && eventId < EVENT_ID_LAST)) throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, `unsupported event ID ${eventId}`);
    if (legacy && [...this.#registrations.values()].some((r) => r.legacy && r.eventId === eventId)) {
      throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, `domain event ${eventId} already registered`);
    }
    const domain = uuid === null ? null : Buffer.from(uuid).toString('hex');
    const registration: Registration = { eventId, domain, legacy };
    const callbackId = await this.session.subscribe(fn, (id, event) => this.#deliver(id, registration, event));
    this.#registrations.set(callbackId, registration);
    return this.#encode(p, legacy ? undefined : { callbackID: callbackId });
  }

  #deregister(p: WireProcedure, callbackId: number): Buffer {
    if (!this.#registrations.get(callbackId) || this.#registrations.get(callbackId)!.legacy) {
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.RPC, `callback ID ${callbackId} not registered`);
    }
    this.#registrations.delete(callbackId);
    this.session.unsubscribe(callbackId);
    return this.#encode(p, undefined);
  }

  #deregisterLegacy(p: WireProcedure, eventId: number): Buffer {
    const found = [...this.#registrations].find(([, r]) => r.legacy && r.eventId === eventId);
    if (!found) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.RPC, `domain event ${eventId} not registered`);
    this.#registrations.delete(found[0]);
    this.session.unsubscribe(found[0]);
    return this.#encode(p, undefined);
  }

  /** An event to a registration that wants it, as its form's MESSAGE frame. */
  #deliver(callbackId: number, r: Registration, event: DomainEventData): void {
    if (eventIdOf.get(event.kind) !== r.eventId) return;
    if (r.domain !== null && event.domain.uuid.replace(/-/g, '') !== r.domain) return;
    const p = r.legacy ? messageOf.get(event.kind)?.legacy : messageOf.get(event.kind)?.callback;
    if (!p) return;
    const header = { program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure: p.number, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK };
    this.session.write(encodeFrame(header, encodeXdr(p.args!, eventToWire(p, callbackId, event)), this.session.limits.maxMessage));
  }
}
