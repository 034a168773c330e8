import t from 'tap';
import { ErrorNumber, open, VirError } from '@tsvirt/core';
import { decodeErrorBody, procedures, type Procedure } from '@tsvirt/core/protocol';
import { RawClient, startDaemon } from './fixtures/daemon-harness.js';

// tsvirtd makes every call through the same generated entry points as an in-process
// call: a bad call fails with the same VirError, field for field, whichever way it comes.

const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const proc = (c: string) => procedures.find((p) => p.c === c)!;

let serial = 10;
/** The error a raw call through tsvirtd's read-write socket gets. */
async function overTheWire(p: Procedure, body: unknown): Promise<Record<string, unknown>> {
  const c = await RawClient.connect(daemon.rw);
  c.open('test:///default', 1);
  await c.reply(1);
  const s = serial++;
  c.call(p.proc, body, s);
  const reply = await c.reply(s);
  c.socket.destroy();
  return decodeErrorBody(reply.body) as unknown as Record<string, unknown>;
}

const inProcess = async (call: () => Promise<unknown>) => {
  try {
    await call();
  } catch (e) {
    return (e as VirError).toJSON() as unknown as Record<string, unknown>;
  }
  throw new Error('the call succeeded');
};

t.test('an argument refused in process is refused through tsvirtd with the same error', async (t) => {
  const conn = await open('test:///default');
  const dom = await conn.lookupDomainByName('test');
  const ref = { name: dom.name, uuid: dom.uuid, id: dom.id };
  const cases: [Procedure, unknown[], () => Promise<unknown>][] = [
    [proc('virDomainSetMaxMemory'), [ref, -1], () => dom.setMaxMemory(-1)],
    [proc('virDomainGetXMLDesc'), [ref, 2 ** 32], () => dom.getXMLDesc(2 ** 32)],
    [proc('virDomainLookupByName'), [42], () => conn.lookupDomainByName(42 as unknown as string)],
    [proc('virDomainSetAutostart'), [ref, 'yes'], () => dom.setAutostart('yes' as unknown as boolean)],
  ];
  for (const [p, body, local] of cases) {
    const wire = await overTheWire(p, body);
    t.equal(wire.code, ErrorNumber.INVALID_ARG, `${p.c}: VIR_ERR_INVALID_ARG`);
    t.same(wire, await inProcess(local), `${p.c}: ${wire.message}`);
  }
  await conn.close();
});

t.test('a reference that names no object is libvirt\'s invalid-pointer error, never a JavaScript one', async (t) => {
  const refs: [string, unknown, number][] = [
    ['virDomainGetXMLDesc', { name: 'test' }, ErrorNumber.INVALID_DOMAIN],
    ['virDomainGetInfo', { name: 'test', uuid: 7, id: 1 }, ErrorNumber.INVALID_DOMAIN],
    ['virDomainSuspend', 'test', ErrorNumber.INVALID_DOMAIN],
    ['virNetworkGetXMLDesc', { uuid: 'x' }, ErrorNumber.INVALID_NETWORK],
    ['virStoragePoolRefresh', null, ErrorNumber.INVALID_STORAGE_POOL],
    ['virStorageVolGetInfo', { name: 'v', key: 'k', path: 'p' }, ErrorNumber.INVALID_STORAGE_VOL],
    ['virInterfaceGetXMLDesc', [], ErrorNumber.INVALID_INTERFACE],
    ['virNodeDeviceGetXMLDesc', {}, ErrorNumber.INVALID_NODE_DEVICE],
    ['virDomainSnapshotGetXMLDesc', { name: 's' }, ErrorNumber.INVALID_DOMAIN_SNAPSHOT],
  ];
  for (const [c, ref, code] of refs) {
    const err = await overTheWire(proc(c), [ref]);
    t.equal(err.code, code, `${c} with ${JSON.stringify(ref)}: ${err.message}`);
    t.match(err.message, new RegExp(`${c}$`), 'names the call');
  }
  const missing = await overTheWire(proc('virDomainGetXMLDesc'), []);
  t.equal(missing.code, ErrorNumber.INVALID_DOMAIN, 'no reference at all');
});
