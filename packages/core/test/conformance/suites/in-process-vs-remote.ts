// The same calls in process and through tsvirtd give the same answers: handle ids
// (a value that follows only the calls made with it, as libvirt's virDomainPtr),
// events (what, in which order, naming which id, through per-domain filters), and
// errors (code, error domain, wording).

import t from 'tap';
import {
  DomainModificationImpact, VirError, type Connect, type Domain, type DomainEvent,
} from '../../../dist/index.js';
import type { TargetPair } from '../fixtures/conformance-target.js';

/** Ids as symbols in order of first appearance (id1, id2, ...): each side numbers its domains from its own start. */
function idSymbols(): (id: number) => string | number {
  const seen = new Map<number, string>();
  return (id) => {
    if (id === -1) return -1;
    if (!seen.has(id)) seen.set(id, `id${seen.size + 1}`);
    return seen.get(id)!;
  };
}

const errorOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return 'no error';
  } catch (e) {
    const { code, domain, message } = e as VirError;
    return { code, domain, message: message.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID') };
  }
};

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** One run of the script against a target: everything it observed, in order. */
async function transcript(target: Target, t: Tap.Test): Promise<Record<string, unknown>> {
  const conn: Connect = await target.connect();
  const [a, b] = ['conformance-pair-a', 'conformance-pair-b'];
  t.teardown(async () => {
    for (const name of [a, b]) {
      const left = await conn.lookupDomainByName(name).catch(() => null);
      await left?.destroy().catch(() => undefined);
      await left?.undefine().catch(() => undefined);
    }
    await conn.close();
  });
  const sym = idSymbols();
  const out: Record<string, unknown> = {};
  const all: DomainEvent[] = [];
  await conn.domainEventRegister((e: DomainEvent) => { if (e.domain.name === a || e.domain.name === b) all.push(e); });

  const h1 = await conn.defineDomainXML(target.xml(a));
  const hb = await conn.defineDomainXML(target.xml(b));
  // the registration's filter: one domain's lifecycle events, and a kind that never comes here
  const onlyA: DomainEvent[] = [];
  const reboots: DomainEvent[] = [];
  await conn.domainEventRegister((e) => onlyA.push(e), { domain: h1, type: 'lifecycle' });
  await conn.domainEventRegister((e) => reboots.push(e), { type: 'reboot' });

  await h1.create();
  const h2: Domain = await conn.lookupDomainByName(a);
  out.afterCreate = [h1.id, h2.id].map(sym);
  await hb.create();
  await hb.destroy();
  await h1.suspend();
  await h1.resume();
  await h1.destroy();
  out.afterDestroy = { handle: sym(h1.id), otherHandle: sym(h2.id), lookup: sym((await conn.lookupDomainByName(a)).id) };
  await h1.create();
  out.afterSecondCreate = { handle: sym(h1.id), otherHandle: sym(h2.id), lookup: sym((await conn.lookupDomainByName(a)).id) };
  out.lookupById = (await conn.lookupDomainByID(h1.id)).name;

  out.errors = {
    createRunning: await errorOf(() => h1.create()),
    suspendStopped: await errorOf(() => hb.suspend()),
    liveChangeOfStopped: await errorOf(() => hb.setMemory(32768, DomainModificationImpact.LIVE)),
    noSuchName: await errorOf(() => conn.lookupDomainByName('conformance-pair-nosuch')),
    nameTaken: await errorOf(() => conn.defineDomainXML(target.xml(a).replace(`<name>${a}</name>`, `<name>${a}</name><uuid>00000000-0000-4000-8000-000000000001</uuid>`))),
  };
  await h1.destroy();
  await h1.undefine();
  await hb.undefine();

  await until(() => all.length >= 12 && onlyA.length >= 7);
  const described = (e: DomainEvent) => [e.domain.name, e.kind, 'event' in e ? e.event : null, 'detail' in e ? e.detail : null, sym(e.domain.id)];
  out.events = all.map(described);
  out.onlyA = onlyA.map(described);
  out.reboots = reboots.length;
  return out;
}

/** The suite, against each of `pairs`. */
export function inProcessVsRemoteSuite(pairs: TargetPair[]): void {
  for (const pair of pairs) {
    t.test(pair.name, { skip: pair.local.skip }, async (t) => {
      const local = await transcript(pair.local, t);
      const remote = await transcript(pair.remote, t);
      t.same(remote, local, 'through tsvirtd as in process');
      // and what both saw is libvirt's rule
      t.same(local.afterCreate, ['id1', 'id1']);
      t.same(local.afterDestroy, { handle: -1, otherHandle: 'id1', lookup: -1 }, 'destroy: the handle it was made with is -1, another keeps its id');
      t.same(local.afterSecondCreate, { handle: 'id2', otherHandle: 'id1', lookup: 'id2' }, 'create: the handle takes the new id');
      t.match(local.errors, {
        createRunning: { code: 55 }, liveChangeOfStopped: { code: 55, domain: 20, message: 'Requested operation is not valid: domain is not running' },
        noSuchName: { code: 42 }, nameTaken: { code: 9, domain: 20, message: `operation failed: domain 'conformance-pair-a' already exists with uuid UUID` },
      });
      t.equal((local.onlyA as unknown[]).length, 7, 'the per-domain filter: started, suspended, resumed, stopped, started, stopped, undefined');
      t.ok((local.onlyA as unknown[][]).every(([name, kind]) => name === 'conformance-pair-a' && kind === 'lifecycle'));
      t.equal(local.reboots, 0, 'the per-kind filter lets no lifecycle event through');
    });
  }
}
