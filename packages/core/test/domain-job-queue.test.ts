// A domain's state-changing jobs run one at a time, in the order they came; one that
// waits too long gets libvirt's "cannot acquire state change lock", naming the holder.

import t from 'tap';
import { ErrorDomain, ErrorNumber } from '../src/index.js';
import { DomainJobQueue } from '../src/drivers/domain-job-queue.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('jobs run one at a time, in order, whatever each one does', async (t) => {
  const q = new DomainJobQueue(ErrorDomain.LIBXL);
  const log: string[] = [];
  const job = (name: string, ms: number, fail = false) => q.run(name, async () => {
    log.push(`begin ${name} (owner ${q.owner})`);
    await later(ms);
    log.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  });
  const results = await Promise.allSettled([job('a', 60), job('b', 10, true), job('c', 0)]);
  t.same(log, ['begin a (owner a)', 'end a', 'begin b (owner b)', 'end b', 'begin c (owner c)', 'end c']);
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], "a failed job's error is its own; the next runs");
  t.equal(q.owner, undefined, 'nothing holds the queue after');
});

t.test('a job that waits longer than the queue allows', async (t) => {
  const q = new DomainJobQueue(ErrorDomain.LIBXL, 50);
  let release!: () => void;
  const holding = q.run('virDomainSave', () => new Promise<void>((r) => { release = r; }));
  await t.rejects(q.run('virDomainSuspend', async () => 'ran'), {
    code: ErrorNumber.OPERATION_TIMEOUT, domain: ErrorDomain.LIBXL,
    message: 'Timed out during operation: cannot acquire state change lock (held by monitor=virDomainSave)',
  });
  const next = q.run('virDomainResume', async () => 'ran');
  release();
  await holding;
  t.equal(await next, 'ran', 'the queue goes on once the holder is done, past the one that gave up');
});
