#!/usr/bin/env node
// tsvirtd beside libvirtd 9.0, in one run, rounds interleaved, over unix sockets, on the
// test driver's test:///default: sequential lookupByName + getInfo (each call against the
// floor, one round trip of a bare Node echo between two processes), the same pairs with 32
// in flight on one connection (libvirt-python: 32 threads on one connection), define +
// undefine of a realistic domain, and memory: idle, with 100 clients, and with 100 clients
// that send calls and never read the replies (the same frames of libvirt's program to both). libvirtd is a private system daemon in a
// mount namespace of its own (tmpfs over its folders), so nothing of the machine's is used
// or changed; everything this run makes is in one temporary folder, removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON_PAIRS, pairsPerSecond as pairsPerSecondOn, startEchoFloor } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { open } = await import(`${root}packages/core/dist/index.js`);
const protocol = await import(`${root}packages/core/dist/entry-points/protocol.js`);
const { encodeFrame, encodeXdr, remoteXdr, Program, ProgramVersion, MessageType, MessageStatus } = protocol;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = 32;
const CLIENTS = 100;
const PY = '/usr/bin/python3';

const work = mkdtempSync(join(tmpdir(), 'daemon-bench-'));
const children = [];
const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const fmt = (n) => Math.round(n).toLocaleString('en');
const us = (n) => n.toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child that is killed when this run ends; resolves once `ready()` holds. */
async function start(cmd, args, opts, ready, what) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  children.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  for (let i = 0; i < 300 && !ready(err); i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode}): ${err.slice(0, 400)}`);
    await sleep(50);
  }
  if (!ready(err)) throw new Error(`${what} did not start: ${err.slice(0, 400)}`);
  return proc;
}

// A domain as a user defines one: disk, network interface, console, graphics.
const domainXml = (name, description = '') => `<domain type='test'>
  <name>${name}</name>${description ? `\n  <description>${description}</description>` : ''}
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/libvirt/images/${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <graphics type='vnc' port='-1' autoport='yes'/>
  </devices>
</domain>
`;
const benchXml = join(work, 'bench-domain.xml');
writeFileSync(benchXml, domainXml('bench-define'));
// A domain whose dumpxml is about 1 MB, for the clients that never read.
// One UUID on both daemons, so that the same frames name it.
const BIG_UUID = '6f0b3a52-8d8e-4f3c-9a51-2b7c3d9e1f00';
const BIG = domainXml('bench-big', 'x'.repeat(1_000_000)).replace('</name>', `</name>\n  <uuid>${BIG_UUID}</uuid>`);

// ---- the floor: a bare request/reply echo between two Node processes ----
const echo = await startEchoFloor(work);
const echoRate = (seconds) => echo.rate(seconds);

// ---- tsvirtd ----
const ourDir = join(work, 'tsvirtd');
const ourEnv = {
  ...process.env, TSVIRT_QEMU_CONFIG_DIR: join(work, 'qemu-config'), TSVIRT_QEMU_RUN_DIR: join(work, 'qemu-run'),
  XDG_RUNTIME_DIR: work, XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache'),
};
const daemon = await start(process.execPath, [`${root}packages/daemon/bin/tsvirtd`, '--socket-dir', ourDir], { cwd: work, env: ourEnv },
  (e) => e.includes('tsvirtd: listening'), 'tsvirtd');
const ourSock = join(ourDir, 'tsvirt-sock');
const conn = await open(`test+unix:///default?socket=${ourSock}`);

const pairsPerSecond = (lanes, seconds) => pairsPerSecondOn(conn, lanes, seconds);

async function definesPerSecond(seconds) {
  const xml = readFileSync(benchXml, 'utf8');
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await (await conn.defineDomainXML(xml)).undefine();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

// ---- libvirtd, private, and libvirt-python ----
async function startLibvirt() {
  if (process.env.BENCH_LIBVIRT === '0') return { skip: 'BENCH_LIBVIRT=0' };
  if (!existsSync('/usr/sbin/libvirtd') || spawnSync(PY, ['-c', 'import libvirt']).status !== 0) {
    return { skip: 'libvirtd or python3-libvirt is not installed here' };
  }
  if (process.getuid() !== 0 || spawnSync('unshare', ['-m', 'true']).status !== 0) {
    return { skip: 'a private system libvirtd needs root and mount namespaces (unshare -m)' };
  }
  const dir = join(work, 'libvirtd');
  mkdirSync(join(dir, 'sock'), { recursive: true });
  mkdirSync(join(dir, 'no-drivers'));
  writeFileSync(join(dir, 'libvirtd.conf'), `unix_sock_dir = "${dir}/sock"\nauth_unix_ro = "none"\nauth_unix_rw = "none"\nunix_sock_rw_perms = "0700"\n`);
  // Its own folders are tmpfs in its own mount namespace; modules are not loaded (the test driver is built in).
  const folders = '/run/libvirt /var/lib/libvirt /var/cache/libvirt /etc/libvirt /var/log/libvirt /run/user';
  const script = `for d in ${folders}; do mkdir -p $d && mount -t tmpfs tmpfs $d || exit 1; done; exec /usr/sbin/libvirtd -f ${dir}/libvirtd.conf`;
  const sock = join(dir, 'sock', 'libvirt-sock');
  let proc;
  try {
    proc = await start('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c', script],
      { env: { ...process.env, LIBVIRT_DRIVER_DIR: join(dir, 'no-drivers') } }, () => existsSync(sock), 'libvirtd');
  } catch (e) {
    return { skip: e.message };
  }
  const code = `
import libvirt, sys, time
c = libvirt.open(sys.argv[1])
xml = open(sys.argv[2]).read()
${PYTHON_PAIRS}
def defines(seconds):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() < t0 + seconds:
        c.defineXML(xml).undefine()
        n += 1
    return n / (time.perf_counter() - t0)
held = []
for line in sys.stdin:
    what, arg = line.split()
    if what == 'seq': print(pairs(1, float(arg)), flush=True)
    elif what == 'piped': print(pairs(${IN_FLIGHT}, float(arg)), flush=True)
    elif what == 'define': print(defines(float(arg)), flush=True)
    elif what == 'big':
        print(len(c.defineXML(open(arg).read()).XMLDesc()), flush=True)
    elif what == 'unbig':
        c.lookupByName('bench-big').undefine()
        print(1, flush=True)
    elif what == 'clients':
        held = [libvirt.open(sys.argv[1]) for _ in range(int(arg))]
        for h in held: h.getType()
        print(len(held), flush=True)
`;
  const worker = spawn(PY, ['-c', code, `test+unix:///default?socket=${sock}`, benchXml], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(worker);
  const lines = [];
  let wake = null;
  let buffered = '';
  let failure = '';
  worker.stdout.on('data', (d) => {
    buffered += d;
    for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1)) lines.push(Number(buffered.slice(0, i)));
    wake?.();
  });
  worker.stderr.on('data', (d) => { failure += d; wake?.(); });
  const ask = async (what, arg) => {
    worker.stdin.write(`${what} ${arg}\n`);
    while (!lines.length) {
      if (failure) throw new Error(`libvirt-python: ${failure.trim().split('\n').at(-1)}`);
      await new Promise((r) => { wake = r; });
    }
    return lines.shift();
  };
  await ask('seq', 0.3);
  return { ask, pid: proc.pid };
}

console.log(`load average at start: ${load()} (${SECONDS} s rounds, ${ROUNDS} rounds, interleaved)`);
const libvirt = await startLibvirt();
if (libvirt.skip) console.log(`libvirtd: not measured: ${libvirt.skip}`);
const lv = libvirt.skip ? null : libvirt;

// Warm-up of both sides.
await pairsPerSecond(1, 0.5);
await definesPerSecond(0.3);
if (lv) await lv.ask('define', 0.3);

const r = { echo: [], seq: [], lvSeq: [], piped: [], lvPiped: [], define: [], lvDefine: [] };
/** Each measurement starts after a pause, so that what the one before left running (a daemon's deferred work, a collector) is done. */
const settled = async (measure) => {
  await sleep(300);
  return measure();
};
for (let round = 0; round < ROUNDS; round++) {
  r.echo.push(await settled(() => echoRate(SECONDS)));
  r.seq.push(await settled(() => pairsPerSecond(1, SECONDS)));
  if (lv) r.lvSeq.push(await settled(() => lv.ask('seq', SECONDS)));
  r.piped.push(await settled(() => pairsPerSecond(IN_FLIGHT, SECONDS)));
  if (lv) r.lvPiped.push(await settled(() => lv.ask('piped', SECONDS)));
  r.define.push(await settled(() => definesPerSecond(SECONDS)));
  if (lv) r.lvDefine.push(await settled(() => lv.ask('define', SECONDS)));
}
const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.length ? median(v) : NaN]));
const vs = (ours, theirs) => (lv ? ` (libvirtd + libvirt-python: ${fmt(theirs)}/s; ${(ours / theirs).toFixed(2)}x)` : '');

const floorUs = 1e6 / m.echo;
const callUs = 1e6 / (2 * m.seq);
console.log(`\nmedians of ${ROUNDS} rounds:`);
console.log(`  floor: a bare Node request/reply echo between two processes: ${fmt(m.echo)} round trips/s, ${us(floorUs)} us each`);
console.log(`  sequential lookupByName + getInfo through tsvirtd: ${fmt(m.seq)} pairs/s, ${us(callUs)} us per call, `
  + `${(callUs / floorUs).toFixed(2)}x the floor (target: at most 1.15x)${vs(m.seq, m.lvSeq)}`);
if (lv) console.log(`    libvirtd: ${us(1e6 / (2 * m.lvSeq))} us per call, ${(1e6 / (2 * m.lvSeq) / floorUs).toFixed(2)}x the floor`);
console.log(`  pipelined, ${IN_FLIGHT} pairs in flight on one connection: ${fmt(m.piped)} pairs/s${vs(m.piped, m.lvPiped)} (target: 4x; libvirt-python: ${IN_FLIGHT} threads, one connection)`);
console.log(`  define + undefine of a realistic domain: ${fmt(m.define)} pairs/s${vs(m.define, m.lvDefine)} (target: 1.2x)`);

// ---- memory ----
const ourIdle = rssKiB(daemon.pid);
const lvIdle = lv ? rssKiB(lv.pid) : NaN;
const clients = [];
for (let i = 0; i < CLIENTS; i++) clients.push(await open(`test+unix:///default?socket=${ourSock}`));
await Promise.all(clients.map((c) => c.getType()));
const ourClients = rssKiB(daemon.pid);
const lvClients = lv ? (await lv.ask('clients', CLIENTS), rssKiB(lv.pid)) : NaN;
await Promise.all(clients.map((c) => c.close()));

// 100 clients that each send 10 calls of a 1 MB dumpxml and never read a byte: the same
// frames of libvirt's REMOTE program to both daemons (open, then DOMAIN_GET_XML_DESC).
const bigXml = join(work, 'bench-big.xml');
writeFileSync(bigXml, BIG);
const big = await conn.defineDomainXML(BIG);
if (lv) await lv.ask('big', bigXml);
const remoteFrame = (procedure, type, value, serial) => encodeFrame({
  program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure, type: MessageType.CALL, serial, status: MessageStatus.OK,
}, encodeXdr(type, value));
const { RemoteProcedure } = remoteXdr;
const muteCalls = Buffer.concat([
  remoteFrame(RemoteProcedure.CONNECT_OPEN, remoteXdr.remote_connect_open_args, { name: 'test:///default', flags: 0 }, 0),
  ...Array.from({ length: 10 }, (_, k) => remoteFrame(RemoteProcedure.DOMAIN_GET_XML_DESC, remoteXdr.remote_domain_get_xml_desc_args,
    { dom: { name: 'bench-big', uuid: Buffer.from(BIG_UUID.replaceAll('-', ''), 'hex'), id: -1 }, flags: 0 }, k + 1)),
]);
/** The daemon's largest RSS while CLIENTS clients that never read hold it; what it has once they are gone. */
async function muteClients(sock, pid) {
  const mute = [];
  for (let i = 0; i < CLIENTS; i++) {
    const s = connect(sock);
    await new Promise((resolve) => s.once('connect', resolve));
    s.pause();
    s.on('error', () => undefined);
    s.write(muteCalls);
    mute.push(s);
  }
  let peak = 0;
  for (let i = 0; i < 40; i++, await sleep(50)) peak = Math.max(peak, rssKiB(pid));
  for (const s of mute) s.destroy();
  return peak;
}
const ourMute = await muteClients(ourSock, daemon.pid);
const lvMute = lv ? await muteClients(join(work, 'libvirtd', 'sock', 'libvirt-sock'), lv.pid) : NaN;
await big.undefine();
if (lv) await lv.ask('unbig', 0);

const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
console.log(`  memory (RSS): tsvirtd ${mib(ourIdle)} idle, ${mib(ourClients)} with ${CLIENTS} connected clients`
  + (lv ? `; libvirtd ${mib(lvIdle)} idle, ${mib(lvClients)} with ${CLIENTS} clients` : ''));
console.log(`  with ${CLIENTS} clients that send 10 calls of a 1 MB dumpxml each and never read: tsvirtd ${mib(ourMute)} at most `
  + `(${mib(ourMute - ourIdle)} above idle)` + (lv ? `; libvirtd ${mib(lvMute)} at most (${mib(lvMute - lvIdle)} above idle)` : ''));
console.log('    tsvirtd\'s bounds: each such client holds at most --max-queued + --max-message (64 MiB by default), in practice one reply '
  + '(its socket is not read while that reply waits), and all of them together --max-queued-total (256 MiB by default)');
console.log(`load average at end: ${load()}`);

await conn.close();
echo.stop();
cleanup();
process.exit(0);
