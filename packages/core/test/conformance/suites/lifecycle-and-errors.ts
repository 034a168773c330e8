// The same lifecycle, events and errors, against every driver (fixtures/conformance-targets.ts).

import t from 'tap';
import {
  DomainEventType as Ev, DomainPausedReason, DomainRunningReason, DomainShutoffReason, DomainState, ErrorNumber, VirError,
  type Connect, type DomainEvent,
} from '../../../dist/index.js';
import type { Target } from '../fixtures/conformance-target.js';

/** The lifecycle events of one domain, as they arrive. */
async function watch(conn: Connect, name: string): Promise<{ seen: number[]; until(count: number): Promise<void> }> {
  const seen: number[] = [];
  let wake = () => undefined as void;
  await conn.domainEventRegister((e: DomainEvent) => {
    if (e.kind === 'lifecycle' && e.domain.name === name) {
      seen.push(e.event);
      wake();
    }
  });
  return {
    seen,
    async until(count) {
      const deadline = Date.now() + 10_000;
      while (seen.length < count && Date.now() < deadline) await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
    },
  };
}

const codeOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return null;
  } catch (e) {
    return e as VirError;
  }
};

/** The suite, against each of `targets`. */
export function lifecycleAndErrorsSuite(targets: Target[]): void {
  for (const target of targets) {
    t.test(target.name, { skip: target.skip }, async (t) => {
      const conn = await target.connect();
      t.teardown(() => conn.close());

      t.test('define, start, suspend, resume, destroy, undefine: states, reasons, lookups and events', async (t) => {
        const name = 'conformance-life';
        // A QEMU guest outlives whoever started it: never leave one behind, whatever fails.
        t.teardown(async () => {
          const left = await conn.lookupDomainByName(name).catch(() => null);
          await left?.destroy().catch(() => undefined);
          await left?.undefine().catch(() => undefined);
        });
        const events = await watch(conn, name);
        const dom = await conn.defineDomainXML(target.xml(name));
        t.equal((await conn.lookupDomainByName(name)).uuid, dom.uuid);
        t.equal((await conn.lookupDomainByUUID(dom.uuid)).name, name);
        t.equal(await dom.isActive(), false);
        t.equal(await dom.isPersistent(), true);
        t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.UNKNOWN });

        await dom.create();
        const running = await conn.lookupDomainByName(name);
        t.ok(running.id > 0, `running under id ${running.id}`);
        t.equal((await conn.lookupDomainByID(running.id)).name, name);
        t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.BOOTED });
        t.match(await dom.getInfo(), { state: DomainState.RUNNING, nrVirtCpu: 1 });

        await dom.suspend();
        t.same(await dom.getState(), { state: DomainState.PAUSED, reason: DomainPausedReason.USER });
        await dom.resume();
        t.same(await dom.getState(), { state: DomainState.RUNNING, reason: DomainRunningReason.UNPAUSED });
        await dom.destroy();
        t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.DESTROYED });
        t.equal((await conn.lookupDomainByName(name)).id, -1);
        await dom.undefine();
        t.equal((await codeOf(() => conn.lookupDomainByName(name)))?.code, ErrorNumber.NO_DOMAIN);

        await events.until(6);
        t.same(events.seen, [Ev.DEFINED, Ev.STARTED, Ev.SUSPENDED, Ev.RESUMED, Ev.STOPPED, Ev.UNDEFINED], 'lifecycle events, in order');
      });

      t.test('errors: codes and error domains as libvirt gives them', async (t) => {
        const name = 'conformance-errors';
        const miss = await codeOf(() => conn.lookupDomainByName('conformance-nosuch'));
        t.match(miss, { code: ErrorNumber.NO_DOMAIN, domain: target.errorDomain });
        t.equal(miss?.message, target.lookupMiss('conformance-nosuch'));
        t.match(await codeOf(() => conn.defineDomainXML('<domain type=')), { code: ErrorNumber.XML_DETAIL, message: /^\(domain_definition\):1: / });
        const dom = await conn.defineDomainXML(target.xml(name));
        t.teardown(async () => {
          await dom.destroy().catch(() => undefined);
          await dom.undefine().catch(() => undefined);
        });
        t.match(await codeOf(() => dom.suspend()), target.suspendStopped(name));
        await dom.create();
        t.match(await codeOf(() => dom.create()), { code: ErrorNumber.OPERATION_INVALID, domain: target.errorDomain, message: target.alreadyRunning(name) });
        const ro = await target.connect({ readOnly: true });
        t.match(await codeOf(async () => (await ro.lookupDomainByName(name)).destroy()), {
          code: ErrorNumber.OPERATION_DENIED, message: 'operation forbidden: read only access prevents virDomainDestroy',
        });
        t.equal((await (await ro.lookupDomainByName(name)).getState()).state, DomainState.RUNNING, 'a read-only connection still reads');
        await ro.close();
        // libvirt's words differ here between its drivers (the event state) and its remote driver
        t.match(await codeOf(() => conn.domainEventDeregister(987654)), target.unknownCallback(987654));
      });
    });
  }
}
