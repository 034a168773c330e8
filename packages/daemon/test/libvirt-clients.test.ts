import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';
import { freePort, startDaemon, virsh as tsvirtVirsh } from './fixtures/daemon-harness.js';

// libvirt 9.0's own clients (virsh, libvirt-python, Sys::Virt), unmodified, against
// tsvirtd's sockets (libvirt's REMOTE program) and against a private libvirtd's test
// driver in the same test: the same commands print the same.

const VIRSH = '/usr/bin/virsh';
const missing = !existsSync(VIRSH) ? "libvirt's virsh is not installed (apt-get install libvirt-clients)" : libvirtdMissing();
if (missing) {
  t.skip(`libvirt's clients against tsvirtd: ${missing}`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'libvirt-clients-'));
  const xml = join(dir, 'vm1.xml');
  writeFileSync(xml, "<domain type='test'><name>vm1</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n");
  const tcpPort = await freePort();
  const daemon = await startDaemon(['--listen', `tcp://127.0.0.1:${tcpPort}`]);
  const libvirtd = await startPrivateLibvirtd({ tcp: true });
  // libvirtd frees test:///default when its last client leaves, tsvirtd keeps it for its
  // lifetime: a client of libvirtd's that stays connected makes both keep their state.
  const keeper = spawn(VIRSH, ['-c', libvirtd.unixUri(), 'event', '--all', '--loop'], { stdio: 'ignore' });
  t.teardown(async () => {
    keeper.kill();
    await daemon.stop();
    await libvirtd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const ours = { rw: `test+unix:///default?socket=${daemon.rw}`, ro: `test+unix:///default?socket=${daemon.ro}`, tcp: `test+tcp://127.0.0.1:${tcpPort}/default` };
  const theirs = { rw: libvirtd.unixUri(), ro: `test+unix:///default?socket=${libvirtd.ro}`, tcp: `test+tcp://127.0.0.1:${libvirtd.tcpPort}/default` };
  const env = { ...process.env, LIBVIRT_DEFAULT_URI: '', VIRSH_DEFAULT_CONNECT_URI: '', HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir };
  // A domain defined by a script gets a random UUID on either side.
  const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
  const uuids = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (u) => (u === TEST_UUID ? u : '<uuid>'));
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 60_000 });
    return { out: uuids(r.stdout), err: uuids(r.stderr), rc: r.status };
  };
  // The test driver's CPU time is the clock's: the one figure that differs from run to run.
  const steady = (text: string) => text.replace(/^(CPU time:\s+)\S+/gm, '$1N');
  const virsh = (uri: string, commands: string) => {
    const r = run(VIRSH, ['-c', uri, commands]);
    return { ...r, out: steady(r.out) };
  };

  const sequences: [string, string][] = [
    ['list', 'list --all'],
    ['dominfo', 'dominfo test'],
    ['unknown domain', 'dominfo nosuch'],
    ['lifecycle', `define ${xml}; start vm1; suspend vm1; domstate vm1; resume vm1; domstate vm1; destroy vm1; domstate vm1; undefine vm1; list --all`],
    ['shutdown and start', 'shutdown test; domstate test; start test; list'],
    ['schedinfo', 'schedinfo test'],
    ['dumpxml', 'dumpxml test'],
    ['start an active domain', 'start test'],
    // CPU maps (laid out by the client's map length) and statistics records
    ['vcpuinfo', 'vcpuinfo test; vcpuinfo test --pretty'],
    ['vcpupin and emulatorpin (queries)', 'vcpupin test; vcpupin test 1; emulatorpin test; vcpupin test --config'],
    ['nodecpumap', 'nodecpumap; nodecpumap --pretty'],
    ['domstats', 'domstats; domstats test; domstats --state --list-running; domstats --raw test; domstats --vcpu test'],
    ['vcpuinfo of a shut-off domain', `define ${xml}; vcpuinfo vm1; undefine vm1`],
    // typed parameters keep libvirt's types (numa_mode is an int virsh names; weight a uint it sets back)
    ['typed parameters', 'schedinfo test; schedinfo test --set weight=60; memtune test; numatune test; domiftune test testnet0'],
    // libvirt's reference names a volume without its path, which its clients ask for (STORAGE_VOL_GET_PATH)
    ['volume paths', 'vol-create-as default-pool v1.img 1M; vol-path --pool default-pool v1.img; vol-list default-pool --details; vol-delete --pool default-pool v1.img; vol-path --pool default-pool v1.img'],
  ];
  for (const [name, commands] of sequences) {
    t.test(`virsh ${name}: as against libvirtd`, async (t) => {
      const got = virsh(ours.rw, commands);
      const want = virsh(theirs.rw, commands);
      t.same(got, want, commands);
      if (name === 'unknown domain') t.match(got.err, /error: failed to get domain 'nosuch'/);
    });
  }

  t.test('the read-only socket refuses writes, as libvirtd\'s does', async (t) => {
    for (const commands of ['destroy test', `define ${xml}`, 'suspend test', 'list --all', 'dominfo test']) {
      const got = virsh(ours.ro, commands);
      t.same(got, virsh(theirs.ro, commands), commands);
    }
    t.match(virsh(ours.ro, 'destroy test').err, /error: operation forbidden: read only access prevents virDomainDestroy/);
    t.same(virsh(ours.rw, 'list').out, virsh(theirs.rw, 'list').out, 'the domain is still running');
  });

  t.test('virsh -r on the read-write socket stays read-only', async (t) => {
    const got = run(VIRSH, ['-r', '-c', ours.rw, 'destroy test']);
    t.equal(got.rc, 1);
    t.same(got, run(VIRSH, ['-r', '-c', theirs.rw, 'destroy test']));
  });

  t.test('over TCP: reads as libvirtd answers them', async (t) => {
    for (const commands of ['list --all', 'dominfo test', 'dominfo nosuch']) t.same(virsh(ours.tcp, commands), virsh(theirs.tcp, commands), commands);
    // libvirtd's auth_tcp="none" lets a TCP client write; tsvirtd's plain TCP never does
    t.match(virsh(ours.tcp, 'destroy test').err, /operation forbidden: read only access prevents virDomainDestroy/);
  });

  t.test('virsh event: domain events arrive as from libvirtd (all events, one domain, one event)', async (t) => {
    /** virsh watching events until it has heard nothing for a while; its output once it exits. */
    const watch = (uri: string, filter: string[]) => new Promise<string>((resolve) => {
      const p = spawn(VIRSH, ['-c', uri, 'event', ...filter, '--loop', '--timeout', '8'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.once('exit', () => resolve(out));
    });
    // the one-domain watcher names a domain that exists when it starts ('vm1' does not yet)
    const filters = [['--all'], ['--domain', 'test', '--event', 'lifecycle'], ['--event', 'reboot']];
    const watching = [ours.rw, theirs.rw].map((uri) => Promise.all(filters.map((f) => watch(uri, f))));
    // the watchers register before anything happens
    await new Promise((r) => setTimeout(r, 3000));
    const commands = `define ${xml}; start vm1; suspend vm1; resume vm1; reboot test; suspend test; resume test; destroy vm1; undefine vm1; `
      + "desc test --live --new-desc hello; desc test --live --title --new-desc T; metadata test --live http://x/ --key x --set '<x/>'";
    t.same(virsh(ours.rw, commands), virsh(theirs.rw, commands), commands);
    const [got, want] = await Promise.all(watching);
    t.same(got, want);
    t.match(got![0], /event 'lifecycle' for domain 'vm1': Started Booted\n/);
    t.match(got![1], /event 'lifecycle' for domain 'test': Suspended Paused\n/);
    t.match(got![0], /event 'metadata-change' for domain 'test': type description, uri <null>\n.*type title.*\n.*type element, uri http:\/\/x\/\n/);
  });

  t.test("qemu:///system through tsvirtd: libvirt's virsh (REMOTE program) reads what tsvirt's virsh (JSON program) reads", async (t) => {
    const uri = `qemu+unix:///system?socket=${daemon.rw}`;
    const commands = 'list --all; hostname; version';
    const got = virsh(uri, commands);
    t.equal(got.rc, 0, got.err);
    t.same(got, tsvirtVirsh('-c', uri, commands));
    t.match(got.out, /Running hypervisor: QEMU /);
  });

  const python = '/usr/bin/python3';
  const hasPython = spawnSync(python, ['-c', 'import libvirt']).status === 0;
  t.test('a libvirt-python script prints what it prints against libvirtd', { skip: hasPython ? false : 'python3-libvirt is not installed' }, async (t) => {
    const script = new URL('./fixtures/libvirt-scripts/lifecycle.py', import.meta.url).pathname;
    const xmlText = "<domain type='test'><name>py1</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>";
    const got = run(python, [script, ours.rw, xmlText]);
    t.equal(got.rc, 0, got.err);
    t.same(got, run(python, [script, theirs.rw, xmlText]));
  });

  t.test('a libvirt-python script of CPU maps and statistics prints what it prints against libvirtd', { skip: hasPython ? false : 'python3-libvirt is not installed' }, async (t) => {
    const script = new URL('./fixtures/libvirt-scripts/cpu-maps.py', import.meta.url).pathname;
    const got = run(python, [script, ours.rw]);
    t.equal(got.rc, 0, got.err);
    t.same(got, run(python, [script, theirs.rw]));
    t.match(got.out, /^host \(8, \[True, False, True, False, True, False, False, False\], 3\)$/m);
  });

  const hasPerl = spawnSync('/usr/bin/perl', ['-MSys::Virt', '-e', '1']).status === 0;
  t.test('a Sys::Virt script prints what it prints against libvirtd', { skip: hasPerl ? false : 'Sys::Virt is not installed (libsys-virt-perl)' }, async (t) => {
    const script = new URL('./fixtures/libvirt-scripts/lifecycle.pl', import.meta.url).pathname;
    const xmlText = "<domain type='test'><name>pl1</name><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>";
    const got = run('/usr/bin/perl', [script, ours.rw, xmlText]);
    t.equal(got.rc, 0, got.err);
    t.same(got, run('/usr/bin/perl', [script, theirs.rw, xmlText]));
  });
}
