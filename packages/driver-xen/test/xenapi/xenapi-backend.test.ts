// xenapi://host/ against the XenAPI simulator (an independent implementation of
// XenAPI's published data model and wire protocol): login, VM records, power
// operations, metrics, events from event.from, XenAPI's errors as libvirt's codes,
// over JSON-RPC and XML-RPC, and a session the host has dropped.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConnectListAllDomainsFlags as L, DomainEventType as Ev, DomainEventStoppedDetailType as Stopped, DomainState, ErrorDomain, ErrorNumber, open,
  type Connect, type DomainEvent,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../../src/driver.js';
import { XenApiClient } from '../../src/xenapi/xenapi-client.js';
import { startXapiSim, xapiSimMissing } from '../fixtures/xen-tools.js';
import { failure } from '../fixtures/failure.js';

registerDriver(driver);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xenapi-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const authFile = path.join(dir, 'auth.conf');
writeFileSync(authFile, '[credentials-sim]\nusername=root\npassword=secret\n[credentials-wrong]\npassword=nope\n[auth-xenapi-127.0.0.1]\ncredentials=sim\n[auth-xenapi-localhost]\ncredentials=wrong\n');
process.env.LIBVIRT_AUTH_FILE = authFile;


async function eventsOf(conn: Connect) {
  const seen: [string, number, number][] = [];
  await conn.domainEventRegister((e: DomainEvent) => { if (e.kind === 'lifecycle') seen.push([e.domain.name, e.event, e.detail]); });
  return {
    seen,
    async until(n: number) {
      const deadline = Date.now() + 10_000;
      while (seen.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

t.test('URIs and credentials, before any network', async (t) => {
  t.match(await failure(() => open('xenapi:///', { localOnly: true })), { code: ErrorNumber.INVALID_ARG, domain: ErrorDomain.XENAPI, message: /Server name not in URI/ });
  t.match(await failure(() => open('xenapi://nocreds.invalid/', { localOnly: true })), {
    code: ErrorNumber.AUTH_FAILED, domain: ErrorDomain.XENAPI, message: /no password for root on nocreds.invalid: .*\[auth-xenapi-nocreds.invalid\]/,
  });
  t.match(await failure(() => open('xenapi://127.0.0.1/?protocol=soap', { localOnly: true })), { code: ErrorNumber.INVALID_ARG, message: /unknown XenAPI protocol 'soap'/ });
});

for (const protocol of ['jsonrpc', 'xmlrpc']) {
  t.test(`against the XenAPI simulator over ${protocol}`, { skip: xapiSimMissing() }, async (t) => {
    const callLog = path.join(dir, `calls-${protocol}.log`);
    const { port } = await startXapiSim(t, callLog);
    const uri = `xenapi://127.0.0.1:${port}/?tls=0&protocol=${protocol}`;
    const conn = await open(uri, { localOnly: true });
    t.teardown(() => conn.close());

    t.test('the host and its VMs', async (t) => {
      t.equal(await conn.getType(), 'XenAPI');
      t.equal(await conn.getURI(), uri);
      t.equal(await conn.getHostname(), 'sim-host');
      t.equal(await conn.getVersion(), 8003000, 'product_version 8.3.0');
      t.match(await conn.getNodeInfo(), { model: 'x86_64', memory: 8 * 1024 * 1024, cpus: 4, nodes: 1 });
      const all = await conn.listAllDomains();
      t.same(all.map((d) => d.name).sort(), ['Control domain on host: sim-host', 'db01', 'web01'], 'templates and snapshots are not domains');
      t.same((await conn.listAllDomains(L.ACTIVE)).map((d) => d.name).sort(), ['Control domain on host: sim-host', 'db01']);
      t.same((await conn.listAllDomains(L.INACTIVE)).map((d) => d.name), ['web01']);
      const db = await conn.lookupDomainByName('db01');
      t.equal(db.id, 7);
      t.equal((await conn.lookupDomainByID(7)).name, 'db01');
      t.equal((await conn.lookupDomainByUUID(db.uuid)).name, 'db01');
      t.match(await db.getInfo(), { state: DomainState.RUNNING, maxMem: 4 * 1024 * 1024, memory: 4 * 1024 * 1024, nrVirtCpu: 4 }, 'memory and vCPUs from VM_metrics');
      t.equal(await db.isActive(), true);
      t.equal(await db.isPersistent(), true);
      t.equal(await db.getOSType(), 'xen');
      t.equal(await db.getMaxMemory(), 4 * 1024 * 1024);
      const xml = await db.getXMLDesc();
      t.match(xml, /^<domain type='xen' id='7'>\n  <name>db01<\/name>\n  <uuid>[0-9a-f-]{36}<\/uuid>\n  <memory unit='KiB'>4194304<\/memory>/);
      t.match(xml, /<vcpu placement='static'>4<\/vcpu>/);
      t.match(await (await conn.lookupDomainByName('web01')).getXMLDesc(), /^<domain type='xen'>/, 'no id for a halted VM');
    });

    t.test('power operations, their events from event.from, and XenAPI\'s refusals as libvirt\'s errors', async (t) => {
      const events = await eventsOf(conn);
      const web = await conn.lookupDomainByName('web01');
      await web.create();
      t.ok(web.id > 0, `the handle took the new domid ${web.id}`);
      t.same(await web.getState(), { state: DomainState.RUNNING, reason: 0 });
      await web.suspend();
      t.equal((await web.getState()).state, DomainState.PAUSED);
      await web.resume();
      t.match(await failure(() => web.create()), {
        code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.XENAPI, message: /^Requested operation is not valid: VM.start: XenAPI error VM_BAD_POWER_STATE: OpaqueRef:[^,]+, halted, running$/,
      });
      await web.shutdown();
      t.equal(web.id, -1);
      await web.create();
      await web.destroy();
      t.equal((await web.getState()).state, DomainState.SHUTOFF);
      t.match(await failure(() => web.suspend()), { code: ErrorNumber.OPERATION_INVALID, message: /XenAPI error VM_BAD_POWER_STATE/ });
      const dom0 = await conn.lookupDomainByID(0);
      t.match(await failure(() => dom0.destroy()), { code: ErrorNumber.OPERATION_INVALID, message: /XenAPI error OPERATION_NOT_ALLOWED/ });
      t.match(await failure(() => web.reboot()), {
        code: ErrorNumber.NO_SUPPORT, domain: ErrorDomain.XENAPI, message: /VM.clean_reboot: XenAPI error MESSAGE_METHOD_UNKNOWN: VM.clean_reboot/,
      }, 'a call the host does not have');
      t.match(await failure(() => web.snapshotCreateXML('<domainsnapshot><name>s1</name></domainsnapshot>')), { code: ErrorNumber.NO_SUPPORT, message: /VM.snapshot/ });
      const gone = { ...web, uuid: '00000000-0000-0000-0000-000000000001' };
      t.match(await failure(() => conn.lookupDomainByUUID(gone.uuid)), { code: ErrorNumber.NO_DOMAIN, domain: ErrorDomain.XENAPI, message: /no domain with matching uuid/ });
      t.match(await failure(() => conn.lookupDomainByName('nosuch')), { code: ErrorNumber.NO_DOMAIN, message: "Domain not found: no domain with matching name 'nosuch'" });
      t.match(await failure(() => conn.lookupDomainByID(4242)), { code: ErrorNumber.NO_DOMAIN });

      await events.until(6);
      t.same(events.seen, [
        ['web01', Ev.STARTED, 0], ['web01', Ev.SUSPENDED, 0], ['web01', Ev.RESUMED, 0], ['web01', Ev.STOPPED, Stopped.SHUTDOWN],
        ['web01', Ev.STARTED, 0], ['web01', Ev.STOPPED, Stopped.DESTROYED],
      ], 'lifecycle events, in order, a destroy told from a shutdown');
    });

    t.test('a session the host dropped is renewed, once, and the call goes through', async (t) => {
      const endpoint = { host: '127.0.0.1', port, tls: false, noVerify: false };
      const client = new XenApiClient({ endpoint, user: 'root', password: 'secret', protocol: protocol as 'jsonrpc' | 'xmlrpc' });
      const logins = () => readFileSync(callLog, 'utf8').split('\n').filter((l) => l.includes('session.login_with_password')).length;
      await client.call('VM.get_all');
      const first = client.session;
      const before = logins();
      // another client logs this session out, as a host restart or a session timeout would end it
      const other = new XenApiClient({ endpoint, user: 'root', password: 'secret', protocol: protocol as 'jsonrpc' | 'xmlrpc' });
      await other.rawCall('session.logout', [first]);
      t.match(await failure(() => other.rawCall('VM.get_all', [first])), { code: ErrorNumber.AUTH_FAILED, message: /XenAPI error SESSION_INVALID/ }, 'the old session is gone');
      t.ok(Array.isArray(await client.call('VM.get_all')), 'the call succeeds in a new session');
      t.equal(logins(), before + 1, 'exactly one more login');
      t.not(client.session, first);
      t.match(readFileSync(callLog, 'utf8'), /VM.get_all nparams=1 -> ERR\n.*session.login_with_password nparams=4 -> ok\n.*VM.get_all nparams=1 -> ok\n$/, 'refused, logged in again, made again');
      await client.logout();
    });

    t.test('a wrong password: libvirt\'s authentication error with XenAPI\'s name for it', async (t) => {
      t.match(await failure(() => open(`xenapi://localhost:${port}/?tls=0&protocol=${protocol}`, { localOnly: true })), {
        code: ErrorNumber.AUTH_FAILED, domain: ErrorDomain.XENAPI,
        message: 'authentication failed: session.login_with_password: XenAPI error SESSION_AUTHENTICATION_FAILED: root, Authentication failure',
      });
    });
  });
}
