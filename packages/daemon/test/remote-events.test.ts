import t from 'tap';
import { ErrorNumber, open } from '@tsvirt/core';
import {
  MessageStatus, MessageType, Program, ProgramVersion, decodeXdr, encodeFrame, encodeXdr, eventFromWire, remoteProcedureByNumber, remoteXdr,
  remote_error, type RemoteErrorValue,
} from '@tsvirt/core/protocol';
import { RawClient, startDaemon } from './fixtures/daemon-harness.js';

// Domain events over libvirt's REMOTE program, both registration forms, as libvirt's
// clients make them: the callback form (with its domain filter) and the legacy form (one
// registration per event id, events under the legacy procedures).

const P = remoteXdr.RemoteProcedure;
const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const uri = `test+unix:///default?socket=${daemon.rw}`;
const TEST = { name: 'test', uuid: Buffer.from('6695eb01f6a4830479aa97f2502e193f', 'hex'), id: 1 };

let serial = 0;
/** A REMOTE call and its reply's frame. */
async function call(c: RawClient, procedure: number, value?: unknown) {
  const s = ++serial;
  const p = remoteProcedureByNumber.get(procedure);
  c.send(encodeFrame({ program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure, type: MessageType.CALL, serial: s, status: MessageStatus.OK }, p?.args ? encodeXdr(p.args, value) : undefined));
  const r = await c.reply(s, Program.REMOTE);
  if (r.header.status === MessageStatus.ERROR) return { error: decodeXdr(remote_error, r.body) as RemoteErrorValue };
  return { value: p?.ret ? decodeXdr(p.ret, r.body) : undefined };
}

/** The events received so far, as the API has them, with the procedure that carried each. */
const events = (c: RawClient) => c.frames.filter((f) => f.header.program === Program.REMOTE && f.header.type === MessageType.MESSAGE).map((f) => {
  const p = remoteProcedureByNumber.get(f.header.procedure)!;
  return { proc: p.name, ...eventFromWire(p, decodeXdr(p.args!, f.body)) };
});

t.test('callback and legacy registrations get their events, filtered by event and domain', async (t) => {
  const c = await RawClient.connect(daemon.rw);
  t.same(await call(c, P.CONNECT_OPEN, { name: 'test:///default', flags: 0 }), { value: undefined });
  const all = await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: null });
  const other = await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 0, dom: { ...TEST, name: 'other', uuid: Buffer.alloc(16, 1) } });
  const reboots = await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 1, dom: TEST });
  t.same(await call(c, P.CONNECT_DOMAIN_EVENT_REGISTER_ANY, { eventID: 0 }), { value: undefined }, 'legacy form');
  t.match(await call(c, P.CONNECT_DOMAIN_EVENT_REGISTER_ANY, { eventID: 0 }), { error: { message: /domain event 0 already registered/ } });
  t.match(await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, { eventID: 9999, dom: null }), { error: { code: ErrorNumber.INVALID_ARG, message: /unsupported event ID 9999/ } });

  const other1 = await open(uri);
  const dom = await other1.lookupDomainByName('test');
  await dom.suspend();
  await dom.resume();
  await dom.reboot();
  await other1.close();
  // four events are due; a moment more shows that nothing else comes
  for (let i = 0; i < 1000 && events(c).length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 300));
  const allId = (all.value as { callbackID: number }).callbackID;
  const test = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
  t.same(events(c), [
    { proc: 'DOMAIN_EVENT_CALLBACK_LIFECYCLE', callbackId: allId, event: { kind: 'lifecycle', domain: test, event: 3, detail: 0 } },
    { proc: 'DOMAIN_EVENT_LIFECYCLE', callbackId: -1, event: { kind: 'lifecycle', domain: test, event: 3, detail: 0 } },
    { proc: 'DOMAIN_EVENT_CALLBACK_LIFECYCLE', callbackId: allId, event: { kind: 'lifecycle', domain: test, event: 4, detail: 0 } },
    { proc: 'DOMAIN_EVENT_LIFECYCLE', callbackId: -1, event: { kind: 'lifecycle', domain: test, event: 4, detail: 0 } },
  ], 'suspended and resumed; nothing for the other domain, nor for the registration of reboot events (the test driver sends none, as libvirt\'s)');
  t.ok(other.value && reboots.value, 'the other registrations were made');

  t.same(await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID: allId }), { value: undefined });
  t.match(await call(c, P.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, { callbackID: allId }), { error: { message: `callback ID ${allId} not registered` } });
  t.same(await call(c, P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, { eventID: 0 }), { value: undefined });
  t.match(await call(c, P.CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, { eventID: 0 }), { error: { message: /domain event 0 not registered/ } });
  c.socket.destroy();
});

t.test('before the open call, only the connection\'s own procedures answer', async (t) => {
  const c = await RawClient.connect(daemon.ro);
  t.same(await call(c, P.AUTH_LIST), { value: { types: [0] } });
  t.same(await call(c, P.CONNECT_SUPPORTS_FEATURE, { feature: 10 }), { value: { supported: 1 } }, 'keepalive');
  t.same(await call(c, P.CONNECT_SUPPORTS_FEATURE, { feature: 4 }), { value: { supported: 0 } }, 'peer-to-peer migration');
  t.match(await call(c, P.CONNECT_GET_TYPE), { error: { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: connection not open' } });
  t.match(await call(c, P.CONNECT_OPEN, { name: null, flags: 0 }), { error: { code: ErrorNumber.ACCESS_DENIED, message: /named none/ } });
  t.match(await call(c, P.CONNECT_OPEN, { name: 'test+tcp://elsewhere/default', flags: 0 }), { error: { code: ErrorNumber.ACCESS_DENIED, message: /only local URIs/ } });
  t.same(await call(c, P.CONNECT_OPEN, { name: 'test:///default', flags: 0 }), { value: undefined });
  t.same(await call(c, P.CONNECT_IS_SECURE), { value: { secure: 1 } }, 'a unix socket');
  t.match(await call(c, P.DOMAIN_SUSPEND, { dom: TEST }), { error: { code: ErrorNumber.OPERATION_DENIED, message: /read only access prevents virDomainSuspend/ } }, 'the read-only socket');
  t.match(await call(c, P.STORAGE_VOL_GET_PATH, { vol: { pool: 'default-pool', name: 'v', key: 'k' } }), { error: { code: ErrorNumber.NO_STORAGE_VOL, message: /no storage vol with matching key 'k'/ } }, "a volume's path, looked up by its key");
  t.match(await call(c, 9999), { error: { code: ErrorNumber.NO_SUPPORT, message: /unknown procedure: 9999/ } });
  c.socket.destroy();
});
