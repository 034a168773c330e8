// conn.events(): domain events as an async iterator, the same in process and through
// tsvirtd: per-domain and per-kind filters, an AbortSignal that ends the iteration and
// removes its registration, `break` that does the same, and a bound on what waits for
// a slow consumer (past it the iteration ends with an error, nothing is dropped silently);
// closing the connection ends it too, as its close callback is told (CLIENT).

import t from 'tap';
import { ConnectCloseReason, ErrorDomain, ErrorNumber, VirError, type Connect, type Domain, type DomainEvent } from '../../../dist/index.js';
import type { Target } from '../fixtures/conformance-target.js';

/** Count the registrations the iterator removes, through the connection's own deregistration. */
function watchDeregistrations(conn: Connect): number[] {
  const removed: number[] = [];
  const deregister = conn.domainEventDeregister.bind(conn);
  conn.domainEventDeregister = async (id: number) => {
    await deregister(id); // fails if the id is unknown: the registration was real
    removed.push(id);
  };
  return removed;
}

async function fresh(target: Target, conn: Connect, name: string): Promise<Domain> {
  const old = await conn.lookupDomainByName(name).catch(() => null);
  await old?.destroy().catch(() => undefined);
  await old?.undefine().catch(() => undefined);
  return conn.defineDomainXML(target.xml(name));
}

const errorOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return null;
  } catch (e) {
    t.type(e, VirError);
    return e as VirError;
  }
};

/** The suite, against each of `targets`. */
export function eventIteratorSuite(targets: Target[]): void {
  for (const target of targets) {
    t.test(target.name, { skip: target.skip }, async (t) => {
      const conn = await target.connect();
      const [a, b] = [`iter-${process.pid}-a`, `iter-${process.pid}-b`];
      t.teardown(async () => {
        for (const name of [a, b]) {
          const d = await conn.lookupDomainByName(name).catch(() => null);
          await d?.destroy().catch(() => undefined);
          await d?.undefine().catch(() => undefined);
        }
        await conn.close();
      });
      const removed = watchDeregistrations(conn);
      const da = await fresh(target, conn, a);
      const db = await fresh(target, conn, b);

      await t.test('filters by domain and kind; the signal ends the loop and deregisters', async (t) => {
        const stop = new AbortController();
        const seen: string[] = [];
        const loop = (async () => {
          for await (const ev of conn.events({ domain: da, type: 'lifecycle', signal: stop.signal })) {
            seen.push(`${ev.domain.name}:${ev.kind}:${'event' in ev ? ev.event : ''}`);
            if (seen.length === 3) stop.abort();
          }
        })();
        // let the registration be made before the events happen
        await new Promise((r) => setTimeout(r, 50));
        await db.create();
        await da.create();
        await da.suspend();
        await db.destroy();
        await da.resume();
        await da.destroy(); // after the abort: never seen
        await loop;
        t.same(seen, [`${a}:lifecycle:2`, `${a}:lifecycle:3`, `${a}:lifecycle:4`], "only a's lifecycle events, until the signal");
        t.equal(removed.length, 1, 'its registration was removed');
      });

      await t.test('break deregisters; an aborted signal never registers', async (t) => {
        const before = removed.length;
        const events = conn.events({ type: 'lifecycle' });
        const next = events.next();
        await new Promise((r) => setTimeout(r, 50));
        await da.create();
        const first = await next;
        t.equal((first.value as DomainEvent).domain.name, a);
        await events.return!();
        t.equal(removed.length, before + 1, 'return() (what break calls) removed the registration');
        t.same(await events.next(), { value: undefined, done: true }, 'and the iteration is over');
        await da.destroy();

        const aborted = AbortSignal.abort();
        const none = conn.events({ signal: aborted });
        t.same(await none.next(), { value: undefined, done: true }, 'ends at once');
        t.equal(removed.length, before + 1, 'nothing was registered to remove');
      });

      await t.test('a consumer that falls behind: the queued events, then an error', async (t) => {
        const before = removed.length;
        const events = conn.events({ domain: da, maxQueued: 3 });
        await new Promise((r) => setTimeout(r, 50));
        await da.create();    // started
        await da.suspend();   // suspended
        await da.resume();    // resumed
        await da.destroy();   // stopped: one more than the bound
        await da.create();
        await da.destroy();
        // delivery is asynchronous (after the call returns): wait until all have come
        await new Promise((r) => setTimeout(r, 200));
        const read: number[] = [];
        for (let i = 0; i < 3; i++) read.push(((await events.next()).value as { event: number }).event);
        t.same(read, [2, 3, 4], 'the three that fit, oldest first');
        const error = await errorOf(() => events.next());
        t.match(error, { code: ErrorNumber.OPERATION_FAILED, domain: ErrorDomain.EVENT, message: /more than 3 events waited/ });
        t.same(await events.next(), { value: undefined, done: true }, 'then the iteration is over');
        t.equal(removed.length, before + 1, 'the registration went with the overflow');
      });

      await t.test('closing the connection ends the loop, and tells the close callback CLIENT', async (t) => {
        const own = await target.connect();
        const reasons: ConnectCloseReason[] = [];
        await own.registerCloseCallback((reason) => reasons.push(reason));
        const closed = own.whenClosed();
        const loop = (async () => {
          let n = 0;
          for await (const _ of own.events()) n++;
          return n;
        })();
        await new Promise((r) => setTimeout(r, 50));
        await own.close();
        t.equal(await loop, 0, 'the loop ended');
        t.equal(await closed, ConnectCloseReason.CLIENT);
        t.same(reasons, [ConnectCloseReason.CLIENT]);
      });

      await t.test('bad filters are refused as libvirt refuses them', async (t) => {
        const other = await target.connect();
        t.teardown(() => other.close());
        const foreign = await other.lookupDomainByName(a);
        const wrongConn = await errorOf(() => conn.events({ domain: foreign }).next());
        t.match(wrongConn, { code: ErrorNumber.INVALID_ARG, message: new RegExp(`domain '${a}' in virConnectDomainEventRegisterAny must match connection`) });
        const wrongType = await errorOf(() => conn.events({ type: 'nosuch' as 'reboot' }).next());
        t.match(wrongType, { code: ErrorNumber.INVALID_ARG, message: /type in virConnectDomainEventRegisterAny must be one of 'lifecycle', 'reboot'/ });
        const wrongBound = await errorOf(() => conn.events({ maxQueued: 0 }).next());
        t.match(wrongBound, { code: ErrorNumber.INVALID_ARG, message: /maxQueued in events must be a positive integer/ });
        const callback = await errorOf(() => conn.domainEventRegister(() => undefined, { domain: foreign }));
        t.match(callback, { code: ErrorNumber.INVALID_ARG }, 'the callback form checks the same');
      });
    });
  }
}
