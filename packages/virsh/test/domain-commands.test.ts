import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshScript } from './fixtures/run-virsh.js';

// Domain commands against test:///default, byte for byte as libvirt 9.0's virsh prints them.

// each test spawns virsh several times: allow for a busy machine
t.setTimeout(180000);

const virsh = virshScript;

t.test('vCPU counts and pinning', async (t) => {
  t.equal(virsh('vcpucount test').out, 'maximum      config         2\nmaximum      live           2\ncurrent      config         2\ncurrent      live           2\n\n');
  t.equal(virsh('vcpupin test 0 1; vcpupin test').out, '\n VCPU   CPU Affinity\n----------------------\n 0      1\n 1      0-7\n\n');
  t.same(virsh('setvcpus test 0'), { out: '\n', err: "error: Can't set 0 processors for a VM\n", rc: 1 });
  t.same(virsh('setvcpus test 4'), { out: '\n', err: 'error: invalid argument: requested cpu amount exceeds maximum (4 > 2)\n', rc: 1 });
});

t.test('memory sizes take units; the maximum of a running domain stays', async (t) => {
  t.match(virsh('setmem test 1G; dominfo test').out, /Used memory: {4}1048576 KiB/);
  t.same(virsh('setmaxmem test 4194304'), {
    out: '\n', err: 'error: Unable to change MaxMemorySize\nerror: Requested operation is not valid: cannot resize the maximum memory on an active domain\n', rc: 1,
  });
  t.equal(virsh('memtune test').out, 'hard_limit     : unlimited\nsoft_limit     : unlimited\nswap_hard_limit: unlimited\n\n');
});

t.test('snapshots: list, tree, info, errors', async (t) => {
  const r = virsh('snapshot-create-as test s1 one; snapshot-create-as test s2; snapshot-list test --tree; snapshot-info test --current; snapshot-parent test s1');
  t.equal(r.out, 'Domain snapshot s1 created\nDomain snapshot s2 created\ns1\n  |\n  +- s2\n    \n\n'
    + 'Name:           s2\nDomain:         test\nCurrent:        yes\nState:          running\nLocation:       internal\nParent:         s1\nChildren:       0\nDescendants:    0\nMetadata:       yes\n\n\n');
  t.equal(r.err, "error: Domain snapshot not found: snapshot 's1' does not have a parent\n");
  t.same(virsh('snapshot-dumpxml test nope'), { out: '\n', err: "error: Domain snapshot not found: no domain snapshot with matching name 'nope'\n", rc: 1 });
  t.same(virsh('snapshot-current test'), { out: '\n', err: "error: domain 'test' has no current snapshot\n", rc: 1 });
});

t.test('save, restore and managed save', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'virsh-save-')), 'test.save');
  const r = virsh(`save test ${file}; domstate --reason test; restore ${file}; domstate --reason test; managedsave test; list --all --managed-save`);
  t.equal(r.out, `\nDomain 'test' saved to ${file}\n\nshut off (saved)\n\nDomain restored from ${file}\n\nrunning (restored)\n\n\nDomain 'test' state saved by libvirt\n\n Id   Name   State\n--------------------\n -    test   saved\n\n`);
  t.same(virsh(`restore ${file}.missing`).err, `error: Failed to restore domain from ${file}.missing\nerror: cannot read domain image '${file}.missing': No such file or directory\n`);
});

t.test('domstats: the state group; --enforce refuses groups the driver lacks', async (t) => {
  t.equal(virsh('domstats test').out, "Domain: 'test'\n  state.state=1\n  state.reason=0\n\n");
  t.same(virsh('domstats --list-shutoff'), { out: '\n', err: '', rc: 0 });
  t.same(virsh('domstats test --vcpu --enforce'), { out: '\n', err: 'error: argument unsupported: Stats types bits 0x8 are not supported by this daemon\n', rc: 1 });
});
