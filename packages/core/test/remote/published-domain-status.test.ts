// The client's reader of a daemon's published domain status, on folders built by hand
// (the daemon's writer is tested against it in packages/daemon).

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  PublishedStatusReader, cpuTimeNow, domainInfoOf, domainStateOf, statusNameLinkPath, statusRecordPath, type DomainStatus,
} from '../../src/index.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const record: DomainStatus = {
  name: 'web 1', uuid: UUID, id: 7, state: 3, reason: 1, maxMem: 1024, memory: 512, nrVirtCpu: 2, cpuTime: { clock: 'none' },
};

/** A folder in the layout, with one record, its name link and its id link. */
function folder(t: Parameters<Parameters<typeof t.test>[1]>[0], contents: string = JSON.stringify(record)): string {
  const dir = mkdtempSync(join(tmpdir(), 'published-status-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['uuid', 'name', 'id']) mkdirSync(join(dir, f));
  writeFileSync(join(dir, 'uuid', UUID), contents);
  symlinkSync(join('..', 'uuid', UUID), join(dir, 'name', 'nweb%201'));
  symlinkSync(join('..', 'uuid', UUID), join(dir, 'id', '7'));
  return dir;
}

t.test('a record is found by name, UUID and id', async (t) => {
  const r = new PublishedStatusReader(folder(t));
  t.same(r.byName('web 1'), record);
  t.same(r.byUuid(UUID), record);
  t.same(r.byId(7), record);
});

t.test('what the reader cannot vouch for is null, so that the daemon is asked', async (t) => {
  const r = new PublishedStatusReader(folder(t));
  t.equal(r.byName('web 2'), null, 'no such name');
  t.equal(r.byUuid(UUID.toUpperCase()), null, 'a UUID not in canonical form');
  t.equal(r.byUuid(UUID.replaceAll('-', '')), null, 'nor in 32 digits');
  t.equal(r.byId(8), null, 'no such id');
  t.equal(r.byId(0), null, 'id 0');
  t.equal(r.byId(-1), null, 'an inactive domain\'s id');
  t.equal(r.byName('../uuid/x'), null, 'a name that would walk out of its folder');
  t.equal(new PublishedStatusReader('/nonexistent').byName('web 1'), null, 'no folder');
});

t.test('a link whose record names another domain is not believed (a rename half-way)', async (t) => {
  const dir = folder(t, JSON.stringify({ ...record, name: 'renamed' }));
  const r = new PublishedStatusReader(dir);
  t.equal(r.byName('web 1'), null);
  t.equal(r.byId(8), null);
});

t.test('a damaged record is not believed', async (t) => {
  for (const bad of ['', '{', 'null', '[]', '{"name":"web 1"}', JSON.stringify({ ...record, id: 'seven' }), JSON.stringify({ ...record, cpuTime: 5 })]) {
    t.equal(new PublishedStatusReader(folder(t, bad)).byUuid(UUID), null, JSON.stringify(bad));
  }
});

t.test('paths: names are encoded into one file name; a name too long for one has no link', async (t) => {
  t.equal(statusNameLinkPath('/d', '..'), '/d/name/n..');
  t.equal(statusNameLinkPath('/d', 'a/b'), '/d/name/na%2Fb');
  t.equal(statusNameLinkPath('/d', 'x'.repeat(254)), `/d/name/n${'x'.repeat(254)}`);
  t.equal(statusNameLinkPath('/d', 'x'.repeat(255)), null);
  t.equal(statusNameLinkPath('/d', 'é'.repeat(42)), `/d/name/n${'%C3%A9'.repeat(42)}`);
  t.equal(statusNameLinkPath('/d', 'é'.repeat(43)), null);
  t.equal(statusRecordPath('/d', UUID), `/d/uuid/${UUID}`);
  t.equal(statusRecordPath('/d', '../../etc/passwd'), null);
});

t.test('CPU time sources are read when asked', async (t) => {
  t.equal(cpuTimeNow({ clock: 'none' }), 0);
  const before = Date.now() * 1e6;
  const wall = cpuTimeNow({ clock: 'wall' });
  t.ok(wall >= before && wall <= Date.now() * 1e6, 'the wall clock, in ns');
  // Burn some CPU so that this process has used at least a tick.
  const until = performance.now() + 50;
  while (performance.now() < until);
  const own = cpuTimeNow({ clock: 'process', pid: process.pid });
  t.ok(own >= 10_000_000 && own % 10_000_000 === 0, `this process's own time in 10 ms ticks: ${own}`);
  t.equal(cpuTimeNow({ clock: 'process', pid: 2 ** 30 }), 0, 'a process that is gone');
  t.same(domainInfoOf(record), { state: 3, maxMem: 1024, memory: 512, nrVirtCpu: 2, cpuTime: 0 });
  t.same(domainStateOf(record), { state: 3, reason: 1 });
});
