// Events without polling: the Xen driver watches xenstore (the real oxenstored)
// and learns of a domain that went away when the toolstack removes its nodes,
// with no call made. The domains are the xl stand-in's: not verified on a hypervisor.

import { DomainEventStoppedDetailType as Stopped, DomainEventType as Ev, open, type DomainEvent } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { XenstoreClient } from '../src/xenstore/xs-client.js';
import { oxenstoredMissing, startOxenstored } from './fixtures/xen-tools.js';
import { useXlStandIn } from './fixtures/xl-standin.js';

registerDriver(driver);
t.setTimeout(300_000);

t.test('a guest that powers off is reported from a xenstore watch (real oxenstored, xl stand-in: not a hypervisor)', { skip: oxenstoredMissing() }, async (t) => {
  const { socket } = await startOxenstored(t);
  const xl = useXlStandIn(t);
  process.env.TSVIRT_XENSTORE_SOCKET = socket;
  const conn = await open('xen:///system', { localOnly: true });
  t.teardown(() => conn.close());
  const dom = await conn.defineDomainXML("<domain type='xen'><name>watched</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
  await dom.create();
  const id = dom.id;
  // what libxl writes for a running domain
  const toolstack = await XenstoreClient.connect(socket);
  t.teardown(() => toolstack.close());
  await toolstack.write(`/local/domain/${id}/name`, 'watched');

  const seen: [string, number, number][] = [];
  await conn.domainEventRegister((e: DomainEvent) => { if (e.kind === 'lifecycle') seen.push([e.domain.name, e.event, e.detail]); });
  // the guest powers off: xl no longer lists it, and the toolstack removes its nodes
  xl.edit((ds) => ds.filter((d) => d.id !== id));
  await toolstack.remove(`/local/domain/${id}`);
  const deadline = Date.now() + 60_000;
  while (!seen.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(seen, [['watched', Ev.STOPPED, Stopped.SHUTDOWN]], 'STOPPED, with no call made after the change');
  t.equal(await dom.isActive(), false);
});
