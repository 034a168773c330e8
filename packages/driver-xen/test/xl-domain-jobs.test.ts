// Two state-changing calls on one domain run one after the other (one xl command on a
// domain at a time); calls on two domains run side by side. Against the scripted
// stand-in for xl: NOT VERIFIED ON A HYPERVISOR. A wrapper around the stand-in logs
// when each command begins and ends, and holds a pause, unpause or mem-set until
// another such command has begun (or 5 s have passed), so that commands that may
// overlap do.

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { XL_STANDIN, useXlStandIn } from './fixtures/xl-standin.js';

registerDriver(driver);
t.setTimeout(300_000);

const guestXml = (name: string) => `<domain type='xen'><name>${name}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
  <os><type>hvm</type></os><devices/></domain>`;

t.test('one domain: one state change at a time; two domains: side by side (xl stand-in)', async (t) => {
  const xl = useXlStandIn(t);
  const log = path.join(xl.dir, 'xl-calls.log');
  const wrapper = path.join(xl.dir, 'xl-logged');
  writeFileSync(wrapper, `#!/bin/sh
echo "begin $1 $2" >> '${log}'
case "$1" in pause|unpause|mem-set)
  i=0
  while [ "$(grep -cE '^begin (pause|unpause|mem-set) ' '${log}')" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done;;
esac
'${XL_STANDIN}' "$@"; rc=$?
echo "end $1 $2" >> '${log}'
exit $rc
`);
  chmodSync(wrapper, 0o755);
  process.env.TSVIRT_XEN_XL = wrapper;
  const conn = await open('xen:///system', { localOnly: true });
  t.teardown(() => conn.close());
  const a = await conn.defineDomainXML(guestXml('job-a'));
  const b = await conn.defineDomainXML(guestXml('job-b'));
  await a.create();
  await b.create();
  const changes = () => readFileSync(log, 'utf8').split('\n').filter((l) => /^(begin|end) (pause|unpause|mem-set) /.test(l));

  writeFileSync(log, '');
  await Promise.all([a.suspend(), a.setMemory(200 * 1024)]);
  const one = changes().map((l) => l.split(' ').slice(0, 2).join(' '));
  t.ok(one.length === 4 && one[0]!.startsWith('begin') && one[1] === one[0]!.replace('begin', 'end') && one[2]!.startsWith('begin') && one[3] === one[2]!.replace('begin', 'end'),
    `suspend and setMemory on one domain: one xl command ends before the other begins (${one.join(', ')})`);
  t.equal(xl.domains().find((d) => d.name === 'job-a')?.paused, true, 'both took effect: paused');
  t.equal(xl.domains().find((d) => d.name === 'job-a')?.memKiB, 200 * 1024, 'both took effect: the new balloon target');

  writeFileSync(log, '');
  await Promise.all([a.resume(), b.suspend()]);
  const two = changes().map((l) => l.split(' ')[0]);
  t.same(two, ['begin', 'begin', 'end', 'end'], 'resume on one domain and suspend on another: their xl commands overlap');
});
