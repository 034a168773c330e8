import t from 'tap';
import { ErrorNumber, open } from '@tsvirt/core';
import type { ConnectEntry } from '@tsvirt/core/driver';
import { procedures, type Procedure } from '@tsvirt/core/protocol';
import { startDaemon } from './fixtures/daemon-harness.js';

// The read-only socket against the procedure table that api.xml generates: every call
// and every flag that libvirt 9.0 refuses to a read-only client is refused, with
// libvirt's code and words, and every other call gets past the access check.

const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const uri = (sock: string) => `test+unix:///default?socket=${sock}`;

// Objects that exist in test:///default (a snapshot and a volume are made on the read-write socket).
const rw = (await open(uri(daemon.rw))) as ConnectEntry;
const dom = await rw.lookupDomainByName('test');
const snapshot = await dom.snapshotCreateXML('<domainsnapshot><name>read-only-test</name></domainsnapshot>');
const pool = await rw.lookupStoragePoolByName('default-pool');
const vol = await pool.createVolumeXML('<volume><name>read-only-test.img</name><capacity>1024</capacity></volume>');
const secret = await rw.defineSecretXML("<secret><usage type='volume'><volume>/read-only-test.img</volume></usage></secret>");
t.teardown(async () => {
  await vol.delete().catch(() => undefined);
  await secret.undefine().catch(() => undefined);
  await snapshot.delete().catch(() => undefined);
  await rw.close();
});
const plain = (o: object, fields: string[]) => Object.fromEntries(fields.map((f) => [f, (o as Record<string, unknown>)[f]]));
const SAMPLE: Record<string, unknown> = {
  string: 'x', uuid: dom.uuid, int: 0, uint: 0, ulong: 0, long: 0, flags: 0, boolean: false, 'uint[]': [0], params: {}, DomainMetadataType: 0,
  Domain: plain(dom, ['name', 'uuid', 'id']),
  DomainSnapshot: plain(snapshot, ['name', 'domain']),
  Network: plain(await rw.lookupNetworkByName('default'), ['name', 'uuid']),
  StoragePool: plain(pool, ['name', 'uuid']),
  StorageVol: plain(vol, ['name', 'key', 'path', 'pool']),
  Interface: plain(await rw.lookupInterfaceByName('eth1'), ['name', 'mac']),
  NodeDevice: { name: 'computer' },
  Secret: plain(secret, ['uuid', 'usageType', 'usageID']),
  SecretUsageType: 1,
  bytes: new Uint8Array([1]),
  // a registration's filter stays with the client; nothing of it travels
  DomainEventFilter: null,
};
const argsOf = (p: Procedure) => p.args.filter((a) => a.type !== 'DomainEventListener').map((a) => {
  if (!(a.type in SAMPLE)) throw new Error(`no sample for ${a.type} (${p.c})`);
  return SAMPLE[a.type];
});

// A client that does not call itself read-only: the socket alone must refuse.
const ro = (await open(uri(daemon.ro))) as ConnectEntry;
t.teardown(() => ro.close());
const call = (p: Procedure, args: unknown[]) =>
  (ro.driver as Record<string, (...a: unknown[]) => Promise<unknown>>)[p.driverName]!.apply(ro.driver, args);
const deniedHow = async (p: Procedure, args: unknown[]) => {
  try {
    await call(p, args);
    return 'allowed';
  } catch (e) {
    const err = e as { code: number; message: string };
    return err.code === ErrorNumber.OPERATION_DENIED ? err.message : 'allowed';
  }
};

const writes = procedures.filter((p) => p.access === 'write');
t.test(`the read-only socket refuses all ${writes.length} write calls with VIR_ERR_OPERATION_DENIED`, async (t) => {
  t.ok(writes.length > 40, 'the table has the write calls');
  for (const p of writes) t.equal(await deniedHow(p, argsOf(p)), `operation forbidden: read only access prevents ${p.c}`, `${p.c} (proc ${p.proc})`);
});

const flagged = procedures.flatMap((p) => p.args.flatMap((a, i) => Object.entries(a.writeFlags ?? {}).map(([flag, value]) => ({ p, i, flag, value }))));
t.test('it refuses every flag that needs write access, as libvirt words it', async (t) => {
  t.ok(flagged.some(({ p, flag }) => p.c === 'virDomainGetXMLDesc' && flag === 'SECURE'), 'dumpxml --security-info is among them');
  for (const { p, i, flag, value } of flagged) {
    const args = argsOf(p);
    args[i] = value;
    t.equal(await deniedHow(p, args), `operation forbidden: ${p.c} with ${flag.toLowerCase().replace(/_/g, ' ')} flag`, `${p.c} with ${flag}`);
  }
});

// close would end the client's connection; it is tested where connections end.
const reads = procedures.filter((p) => p.access === 'read' && p.driverName !== 'connectClose');
t.test(`the ${reads.length} read calls get past the access check`, async (t) => {
  for (const p of reads) t.equal(await deniedHow(p, argsOf(p)), 'allowed', `${p.c} (proc ${p.proc})`);
});
