// An AbortSignal on a call that can take long (api.xml's abortable calls), the same in
// process and through tsvirtd: a signal aborted before the call fails it with
// VIR_ERR_OPERATION_ABORTED and sends nothing; one aborted while the call is under way
// tells the caller at once, and the call's own reply, when it comes, is dropped without
// harm (the connection serves on).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DomainState, ErrorDomain, ErrorNumber, type Connect, type Domain } from '../../../dist/index.js';
import type { Target } from '../fixtures/conformance-target.js';

const aborted = (fn: string) => ({ code: ErrorNumber.OPERATION_ABORTED, domain: ErrorDomain.DOMAIN, message: `operation aborted: ${fn}: canceled by client` });

async function until(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The suite, against each of `targets`. */
export function callSignalSuite(targets: Target[]): void {
  for (const target of targets) {
    t.test(target.name, { skip: target.skip }, async (t) => {
      const conn: Connect = await target.connect();
      const name = `signal-${process.pid}`;
      const dir = mkdtempSync(join(tmpdir(), 'tsvirt-signal-'));
      let dom: Domain | undefined;
      t.teardown(async () => {
        await dom?.destroy().catch(() => undefined);
        await dom?.managedSaveRemove().catch(() => undefined);
        await dom?.undefine().catch(() => undefined);
        await conn.close();
        rmSync(dir, { recursive: true, force: true });
      });
      dom = await conn.defineDomainXML(target.xml(name));

      await t.test('a signal aborted while the call is under way: the caller is told at once, the late reply is dropped', async (t) => {
        const stop = new AbortController();
        const starting = dom!.create(0, { signal: stop.signal });
        stop.abort();
        await t.rejects(starting, aborted('virDomainCreate'));
        // The start itself was not undone: it ends as it would have, and the connection serves on.
        t.ok(await until(async () => (await dom!.getState()).state === DomainState.RUNNING), 'the start went on to its end');
      });

      await t.test('a signal aborted before the call: nothing is sent', async (t) => {
        await t.rejects(dom!.save(join(dir, 'never'), undefined, 0, { signal: AbortSignal.abort() }), aborted('virDomainSave'));
        await t.rejects(dom!.shutdown(0, { signal: AbortSignal.abort() }), aborted('virDomainShutdown'));
        t.equal((await dom!.getState()).state, DomainState.RUNNING, 'the domain was neither saved nor shut down');
        await t.rejects(dom!.save(join(dir, 'never'), undefined, 0, { signal: 'soon' as never }), {
          code: ErrorNumber.INVALID_ARG, message: /signal in virDomainSave must be an AbortSignal/,
        });
        await t.rejects(dom!.save(join(dir, 'never'), undefined, 0, null as never), { code: ErrorNumber.INVALID_ARG, message: /options in virDomainSave must be an object/ });
      });

      await t.test('a signal that does not abort changes nothing; aborted later, it refuses the next call', async (t) => {
        const stop = new AbortController();
        await dom!.destroy();
        await dom!.create(0, { signal: stop.signal });
        t.equal((await dom!.getState()).state, DomainState.RUNNING);
        await dom!.destroy();
        stop.abort();
        await t.rejects(dom!.create(0, { signal: stop.signal }), aborted('virDomainCreate'));
        t.equal((await dom!.getState()).state, DomainState.SHUTOFF, 'not started');
      });
    });
  }
}
