import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError, open } from '../src/index.js';
import { ConnectEntry, registerDriver, type ConnectDriver, type DomainRef } from '../src/entry-points/driver.js';

// A hand-made driver stands in for a hypervisor here: these tests are about the
// generated entry points (checks, access, errors), not about any driver.
const ref: DomainRef = { name: 'd', uuid: '11111111-2222-3333-4444-555555555555', id: 1 };
function fakeDriver(): ConnectDriver {
  return {
    connectGetType: () => 'FAKE',
    connectLookupDomainByName: (name) => { if (name !== 'd') throw new Error('nope'); return ref; },
    domainDestroy: () => undefined,
    domainGetInfo: async () => ({ state: 1, maxMem: 1, memory: 1, nrVirtCpu: 1, cpuTime: 0 }),
  };
}

t.test('generated entry points check, then call the driver', async (t) => {
  const conn = new ConnectEntry(fakeDriver(), false);
  t.equal(await conn.getType(), 'FAKE');
  const dom = await conn.lookupDomainByName('d');
  t.equal(dom.name, 'd');
  t.equal((await dom.getInfo()).state, 1);
  await t.rejects(conn.getHostname(), { code: ErrorNumber.NO_SUPPORT, message: 'this function is not supported by the connection driver: virConnectGetHostname' });
  await t.rejects(conn.lookupDomainByName(42 as never), { code: ErrorNumber.INVALID_ARG, message: 'invalid argument: name in virDomainLookupByName must be a string' });
  await t.rejects(conn.listAllDomains(-1), { code: ErrorNumber.INVALID_ARG });
  await t.rejects(conn.lookupDomainByName('x'), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: nope' });
  await conn.close();
  await t.rejects(conn.getType(), { code: ErrorNumber.INVALID_CONN });
  await t.rejects(dom.getInfo(), { code: ErrorNumber.INVALID_CONN });
});

t.test('a read-only connection refuses every write call', async (t) => {
  const conn = new ConnectEntry(fakeDriver(), true);
  const dom = await conn.lookupDomainByName('d');
  await t.rejects(dom.destroy(), { code: ErrorNumber.OPERATION_DENIED, message: 'operation forbidden: read only access prevents virDomainDestroy' });
  await t.rejects(conn.defineDomainXML('<domain/>'), { code: ErrorNumber.OPERATION_DENIED });
  t.ok(await dom.getInfo(), 'reads still work');
});

t.test('open() finds drivers by exact scheme', async (t) => {
  // a xenapi:// URI names the host its driver speaks XenAPI to: the Xen driver's, not the remote driver's
  await t.rejects(open('xenapi://127.0.0.1:1/', { localOnly: true }), { domain: ErrorDomain.XENAPI });
  await t.rejects(open('nosuch:///x'), { code: ErrorNumber.NO_CONNECT, message: 'no connection driver available for nosuch:///x' });
  await t.rejects(open('::bad'), VirError);
  registerDriver({ name: 'fake', schemes: ['fake'], open: (u) => (u.path === '/ok' ? fakeDriver() : 'declined') });
  t.equal(await (await open('fake:///ok')).getType(), 'FAKE');
  await t.rejects(open('fake:///other'), { code: ErrorNumber.NO_CONNECT });
  // The remote driver takes it instead; with no TLS files here it fails before any network.
  await t.rejects(open('fake://somehost/ok?pkipath=/nonexistent'), { code: ErrorNumber.SYSTEM_ERROR, message: "Cannot read CA certificate '/nonexistent/cacert.pem': No such file or directory" }, 'local drivers decline URIs with a host');
});
