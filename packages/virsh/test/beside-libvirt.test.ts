import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { virshEnv, virshScript } from './fixtures/run-virsh.js';

// Scripts run by tsvirt's virsh and by libvirt's, each on a fresh test:///default: the
// same stdout, stderr and exit code. The rules here are virsh's own (empty option
// values, echo's forms) and the API's (rename), which no driver difference excuses.

t.setTimeout(180000);

const LIBVIRT_VIRSH = '/usr/bin/virsh';
const libvirt = (script: string) => {
  const r = spawnSync(LIBVIRT_VIRSH, ['-c', 'test:///default', script], { encoding: 'utf8', env: virshEnv, timeout: 30_000 });
  return { out: r.stdout, err: r.stderr, rc: r.status };
};

const SCRIPTS: Record<string, string[]> = {
  'create and start: --pass-fds is N,M,... (empty for none), --console needs a terminal': [
    'destroy test; start test --pass-fds x', 'destroy test; start test --pass-fds 3,,4', 'destroy test; start test --console',
    "destroy test; start test --pass-fds ''",
  ],
  'an empty option value is refused unless the command takes one': [
    "dominfo ''", "net-info ''", "pool-info ''", "snapshot-info test ''", "vol-info '' --pool default-pool",
    "domblkstat test ''", "domblkinfo test ''",
  ],
  'echo: no newline of its own, --split lines, --shell and --xml quoting, --err': [
    'echo a; echo b; list --name; echo c', 'echo', "echo a '' b",
    'echo --split a,b c,d', 'echo --split a,,b,c,,,d', "echo --split '' a", 'echo --split ,a,',
    "echo --shell \"it's\" a '' x", "echo --xml '<a>' '&'", "echo --xml --split a,b", 'echo --err a b; echo c',
  ],
  'missing options: every one named, data as <name>, numbers as --name; aliases': [
    'attach-disk', 'vol-create-as default-pool', 'setvcpus test', 'setmem test', 'setmem test --kilobytes 2000000',
    'setmem test 1x', 'setmem test 1.5M', 'snapshot-dumpxml test', 'domxml-to-native qemu-argv',
  ],
  'lookups take only the ways a command documents': [
    'domid 1', 'domuuid 1', 'domname test', 'domname 1', 'domid test', 'domuuid 6695eb01-f6a4-8304-79aa-97f2502e193f',
    'pool-uuid dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566', 'pool-name default-pool', 'net-name nosuch', 'net-name default',
    'iface-name eth1', 'iface-name 52:54:00:00:00:99', 'iface-mac 52:54:00:00:00:99',
    'vol-name nosuch', 'vol-pool nosuch', 'vol-path nosuch', 'vol-path --pool default-pool nosuch', 'vol-key nosuch',
  ],
  'freecell: total, one cell, a bad cell number': ['freecell', 'freecell --all', 'freecell 1', 'freecell 5', 'freecell x', 'freecell --cellno -1'],
  'snapshots: a name or --current, not both and not neither': [
    'snapshot-info test', 'snapshot-create-as test s1; snapshot-info test s1 --current; snapshot-parent test s1 --current; snapshot-revert test s1 --current; snapshot-delete test s1 --current',
  ],
  'rename: empty, to itself, with a slash, then to a new name': [
    "destroy test; domrename test ''; domrename test test; domrename test 'a/b'; domrename test renamed; list --all --name",
  ],
};

for (const [title, scripts] of Object.entries(SCRIPTS)) {
  t.test(title, { skip: existsSync(LIBVIRT_VIRSH) ? false : "libvirt's virsh is not installed (apt-get install libvirt-clients)" }, async (t) => {
    for (const script of scripts) t.same(virshScript(script), libvirt(script), script);
  });
}

// help lists only the commands tsvirt has (libvirt's lists all of its own), so this one is
// checked against tsvirt's `help` alone: an empty name asks for the whole list.
t.test("help '' is help", async (t) => {
  const all = virshScript('help');
  t.equal(all.rc, 0);
  t.same(virshScript("help ''"), all);
});
