// virDomainAbortJob on real QEMU (q35 and pc), through core's public API as tsvirtd
// calls it: a save and a managed save aborted while QEMU streams the state, by
// abortJob and by the call's AbortSignal. The guest must go on running (libvirt's
// "running (save canceled)") and no part of the file may be left. The guest is
// diskless (SeaBIOS finds nothing to boot): the save streams its memory all the same.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainJobType, DomainRunningReason, DomainState, ErrorNumber, open, VirError, type Domain } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-abort-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
process.env.TSVIRT_AUTOSTART = '0';
if (process.env.TSVIRT_QEMU) process.env.TSVIRT_QEMU_BINARY = process.env.TSVIRT_QEMU;
registerDriver(driver);
t.setTimeout(300_000);

/** Wait until QEMU reports the job's progress, so that the abort meets it under way. */
async function jobUnderWay(dom: Domain, settled: () => boolean): Promise<boolean> {
  while (!settled()) {
    const info = await dom.getJobInfo();
    if (info.type === DomainJobType.UNBOUNDED && info.dataProcessed > 0) return true;
    await sleep(2);
  }
  return false;
}

async function rejection(p: Promise<unknown>): Promise<VirError | undefined> {
  return p.then(() => undefined, (e: unknown) => e as VirError);
}

for (const machine of ['q35', 'pc'] as const) {
  t.test(`${machine}: domjobabort of a save and a managed save, and the save's AbortSignal`, async (t) => {
    const conn = await open('qemu:///session');
    t.teardown(() => conn.close());
    // Memory the guest never touched is sent as zero pages, quickly: 512 MiB leaves time to abort.
    const dom = await conn.defineDomainXML(`<domain type='qemu'><name>abort-${machine}</name><memory unit='MiB'>512</memory>
      <vcpu>1</vcpu><os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices/></domain>`);
    t.teardown(() => dom.destroy().catch(() => {}));

    let e = await rejection(dom.abortJob());
    t.same([e?.code, e?.message], [ErrorNumber.OPERATION_INVALID, 'Requested operation is not valid: domain is not running'], 'a shut-off domain has no job');
    await dom.create();
    e = await rejection(dom.abortJob());
    t.same([e?.code, e?.message], [ErrorNumber.OPERATION_INVALID, 'Requested operation is not valid: no job is active on the domain']);

    const cases: Array<[string, (file: string, signal?: AbortSignal) => Promise<void>, string]> = [
      ['save', (file, signal) => dom.save(file, undefined, 0, { signal }), path.join(dir, `${machine}.save`)],
      ['managed save', (_file, signal) => dom.managedSave(0, { signal }), ''],
    ];
    for (const [what, run, file] of cases) {
      for (const how of ['abortJob', 'AbortSignal'] as const) {
        const ac = new AbortController();
        let settled = false;
        const job = run(file, ac.signal).finally(() => { settled = true; });
        const caught = await jobUnderWay(dom, () => settled);
        if (!caught) {
          // The save outran the polling on this machine: nothing was aborted, so undo it and say so.
          await job;
          t.comment(`${what} (${how}) finished before it could be aborted`);
          if (what === 'save') await conn.restoreDomain(file); else await dom.create();
          continue;
        }
        if (how === 'abortJob') await dom.abortJob(); else ac.abort();
        e = await rejection(job);
        t.equal(e?.code, ErrorNumber.OPERATION_ABORTED, `${what} aborted by ${how}: ${e?.message}`);
        if (how === 'abortJob') t.equal(e?.message, "operation aborted: job 'domain save' canceled by client");
        // With a signal the caller is told at once; the driver's cancel follows.
        await (async () => { while ((await dom.getJobInfo()).type !== DomainJobType.NONE) await sleep(5); })();
        const state = await dom.getState();
        t.same([state.state, state.reason], [DomainState.RUNNING, DomainRunningReason.SAVE_CANCELED], 'the guest runs on: running (save canceled)');
        if (what === 'save') t.notOk(existsSync(file), 'no part of the save file is left');
        else t.notOk(await dom.hasManagedSaveImage(), 'no managed save image');
      }
    }
    // A job that ran to its end afterwards is not disturbed by the aborts before it.
    await dom.managedSave();
    t.ok(await dom.hasManagedSaveImage(), 'a managed save after the aborts completes');
    await dom.create();
    t.equal((await dom.getState()).state, DomainState.RUNNING);
    await dom.destroy();
    await dom.undefine();
  });
}
