import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { virshEnv } from './fixtures/run-virsh.js';
import { allCommands } from '../src/commands/command-registry.js';
import { HELP_GROUPS } from '../src/commands/help-catalog.js';

// The built CLI, run through env(1) so that tap's spawn hooks do not reach it.
const env = virshEnv;
const bin = new URL('../bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, bin, ...args], { encoding: 'utf8', env });
  return { out: r.stdout, err: r.stderr, rc: r.status };
};
const dir = mkdtempSync(join(tmpdir(), 'virsh-net-'));
const net2 = join(dir, 'net2.xml');
writeFileSync(net2, "<network><name>net2</name><uuid>22222222-3333-4444-5555-666666666666</uuid><bridge name='virbr9'/></network>");

t.test('networks: define, list, info, start and errors as virsh prints them', async (t) => {
  const r = virsh('-c', 'test:///default', `net-define ${net2}; net-list --all; net-start net2; net-info net2; net-list --name`);
  t.equal(r.out, `Network net2 defined from ${net2}\n\n`
    + ' Name      State      Autostart   Persistent\n----------------------------------------------\n default   active     no          yes\n net2      inactive   no          yes\n\n'
    + 'Network net2 started\n\n'
    + 'Name:           net2\nUUID:           22222222-3333-4444-5555-666666666666\nActive:         yes\nPersistent:     yes\nAutostart:      no\nBridge:         virbr9\n\n'
    + 'default\nnet2\n\n');
  t.same(virsh('-c', 'test:///default', 'net-start', 'default'), {
    out: '\n', rc: 1, err: "error: Failed to start network default\nerror: Requested operation is not valid: Network 'default' is already running\n",
  });
  t.same(virsh('-c', 'test:///default', 'net-list', '--name', '--uuid'), { out: '\n', rc: 1, err: 'error: Only one argument from --table, --name and --uuid may be specified.\n' });
  t.same(virsh('-r', '-c', 'test:///default', 'net-destroy', 'default'), {
    out: '\n', rc: 1, err: 'error: Failed to destroy network default\nerror: operation forbidden: read only access prevents virNetworkDestroy\n',
  });
});

t.test('pools and volumes: sizes as virsh prints them, and lookups with and without --pool', async (t) => {
  const r = virsh('-c', 'test:///default', 'vol-create-as default-pool v 1G --allocation 10M; vol-info --bytes /default-pool/v; pool-info --bytes default-pool; pool-list --details; vol-pool --uuid /default-pool/v');
  t.equal(r.out, 'Vol v created\n\n'
    + 'Name:           v\nType:           file\nCapacity:       1073741824 bytes\nAllocation:     10485760 bytes\n\n'
    + 'Name:           default-pool\nUUID:           dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566\nState:          running\nPersistent:     yes\nAutostart:      no\n'
    + 'Capacity:       107374182400\nAllocation:     10485760\nAvailable:      107363696640\n\n'
    + ' Name           State     Autostart   Persistent   Capacity     Allocation   Available\n'
    + `${'-'.repeat(88)}\n`
    + ' default-pool   running   no          yes          100.00 GiB   10.00 MiB    99.99 GiB\n\n'
    + 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566\n\n');
  t.same(virsh('-c', 'test:///default', 'vol-info', 'nosuch'), {
    out: '\n', rc: 1, err: "error: failed to get vol 'nosuch', specifying --pool might help\nerror: Storage volume not found: no storage vol with matching path 'nosuch'\n",
  });
  t.same(virsh('-c', 'test:///default', 'vol-create-as default-pool v 1X'), { out: '\n', rc: 1, err: "error: Malformed size 1X\nerror: invalid argument: unknown suffix 'X'\n" });
  t.same(virsh('-c', 'test:///default', 'pool-destroy default-pool; vol-info --pool default-pool x'), {
    out: 'Pool default-pool destroyed\n\n\n', rc: 1, err: "error: pool 'default-pool' is not active\n",
  });
});

t.test('a node file that cannot be loaded: libxml\'s warning, then the connect error', async (t) => {
  t.same(virsh('-c', 'test:///nonexistent/node.xml', 'list'), {
    out: '', rc: 1,
    err: 'I/O warning : failed to load external entity "/nonexistent/node.xml"\nerror: failed to connect to the hypervisor\nerror: XML error: failed to parse xml document \'/nonexistent/node.xml\'\n',
  });
});

t.test('help lists libvirt\'s groups; the non-domain commands sit in their groups with their one-line help', async (t) => {
  const catalog = new Map(HELP_GROUPS.flatMap((g) => g.commands.map(([name, help]) => [name, { group: g.keyword, help }] as const)));
  const groups = new Set(['network', 'pool', 'volume', 'interface', 'nodedev', 'filter', 'virsh']);
  for (const c of allCommands.filter((c) => groups.has(c.group))) t.same({ group: c.group, help: c.help }, catalog.get(c.name), c.name);
  const r = virsh('help', 'network');
  t.match(r.out, /^ Networking \(help keyword 'network'\):\n {4}net-autostart {18}autostart a network\n/);
  const groupsWithCommands = HELP_GROUPS.filter((g) => g.commands.some(([name]) => allCommands.some((c) => c.name === name)));
  t.equal(virsh('--help').out.split('\n').filter((l) => l.includes('(help keyword')).length, groupsWithCommands.length, 'groups with a command of tsvirt');
  const help = virsh('help', 'vol-info');
  t.match(help.out, /^ {2}NAME\n {4}vol-info - storage vol information\n\n {2}SYNOPSIS\n {4}vol-info <vol> \[--pool <string>\] \[--bytes\] \[--physical\]\n/);
  t.same(virsh('-c', 'test:///default', 'vol-info --help nosuch'), help, 'CMD --help is help CMD, whatever else follows');
});
