import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { invalidArgument, invalidConnection, type DomainEventData } from '@tsvirt/core/driver';
import {
  ConnectionProcedure, MessageStatus, MessageType, Program, ProgramVersion, argsFromJson, carriesBytes, decodeJsonBody, encodeJsonFrame, errorBodyOf,
  eventProcedures, jsonStreamErrors, plainDomainRef, resultToJson, type FrameHeader, type OpenCallBody,
} from '@tsvirt/core/protocol';
import { callArgs, callEntry, procedureFor } from './entry-dispatch.js';
import type { ProgramServer, SessionContext } from './program-server.js';

const eventProcOf = new Map(eventProcedures.map((e) => [e.kind, e.proc]));

/** tsvirt's own program: JSON bodies, the open call's {uri, readOnly}, events as MESSAGE frames of the event's procedure. */
export class JsonProgram implements ProgramServer {
  readonly streamErrors = jsonStreamErrors;

  constructor(private readonly session: SessionContext) {}

  serve(proc: number, body: Buffer): unknown {
    const value = decodeJsonBody(body, this.session.limits.maxMessage);
    if (proc === ConnectionProcedure.OPEN) return this.#open(value as OpenCallBody);
    const p = procedureFor(proc);
    const { entry } = this.session.connection();
    const args = argsFromJson(p, callArgs(p, value));
    // What the client holds rather than the driver: its event registrations, and the
    // connection, which it may close while the driver's stays open for the others.
    switch (p.driverName) {
      case 'connectClose':
        this.session.closeConnection(p.c);
        return undefined;
      case 'connectDomainEventRegister':
        if (entry.closed) throw invalidConnection(p.c);
        return this.session.subscribe(p.c, (callbackId, event) => this.#sendEvent(callbackId, event));
      case 'connectDomainEventDeregister':
        if (entry.closed) throw invalidConnection(p.c);
        if (!Number.isSafeInteger(args[0])) throw invalidArgument('callbackID', p.c, 'an integer', ErrorDomain.NONE);
        return this.session.unsubscribe(args[0] as number);
    }
    return carriesBytes(p) ? callEntry(entry, p, args).then((v) => resultToJson(p, v)) : callEntry(entry, p, args);
  }

  replyFrame(call: FrameHeader, value: unknown): Uint8Array {
    return encodeJsonFrame({ ...call, type: MessageType.REPLY, status: MessageStatus.OK }, value, this.session.limits.maxMessage);
  }

  errorFrame(call: FrameHeader, error: VirError): Uint8Array {
    return encodeJsonFrame({ ...call, type: MessageType.REPLY, status: MessageStatus.ERROR }, errorBodyOf(error), this.session.limits.maxMessage);
  }

  #open(body: OpenCallBody): Promise<void> {
    if (typeof body?.uri !== 'string') throw VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'the open call needs {uri, readOnly}');
    return this.session.open(body.uri, body.readOnly === true);
  }

  #sendEvent(callbackId: number, event: DomainEventData): void {
    const proc = eventProcOf.get(event.kind);
    if (proc === undefined) return;
    const { kind: _, domain, ...fields } = event;
    const header = { program: Program.TSVIRT, version: ProgramVersion.TSVIRT, procedure: proc, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK };
    this.session.write(encodeJsonFrame(header, { callbackId, domain: plainDomainRef(domain), ...fields }, this.session.limits.maxMessage));
  }
}
