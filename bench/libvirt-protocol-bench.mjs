#!/usr/bin/env node
// lookupByName('test') + getInfo() pairs per second, one call at a time, through each
// program a daemon speaks: tsvirtd's JSON program (tsvirt's client), libvirt's REMOTE
// program on tsvirtd and on libvirtd 9.0 (the same clients against both: libvirt-python,
// and a bare Node client of core's XDR codec and generated tables). One run, rounds
// interleaved, with the machine's load and the floor: a bare request/reply echo between
// two Node processes. libvirtd is a private session daemon in a temporary folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON_PAIRS, fmt, interleaved, loadText, pairsPerSecond, pythonRounds, startEchoFloor } from './bench-kit.mjs';
import { hasLibvirtPython, startPrivateLibvirtd } from './private-libvirtd.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { open } = await import(`${root}packages/core/dist/index.js`);
const {
  FrameDecoder, MessageStatus, MessageType, Program, ProgramVersion, decodeXdr, encodeFrame, encodeXdr, remoteXdr,
} = await import(`${root}packages/core/dist/entry-points/protocol.js`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const P = remoteXdr.RemoteProcedure;

console.log(`libvirt's protocol: lookup + info pairs per second, one at a time (${loadText()})`);
const work = mkdtempSync(join(tmpdir(), 'libvirt-protocol-bench-'));
const stops = [];
process.on('exit', () => {
  for (const s of stops.reverse()) s();
  rmSync(work, { recursive: true, force: true });
});

// ---- the floor ----
const echo = await startEchoFloor(work);
stops.push(echo.stop);

// ---- tsvirtd ----
const sockDir = join(work, 'tsvirtd');
const daemon = spawn(process.execPath, [`${root}packages/daemon/bin/tsvirtd`, '--socket-dir', sockDir], {
  cwd: work, stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, TSVIRT_QEMU_CONFIG_DIR: join(work, 'qemu-config'), TSVIRT_QEMU_RUN_DIR: join(work, 'qemu-run'), XDG_RUNTIME_DIR: work },
});
stops.push(() => daemon.kill());
await new Promise((resolve, reject) => {
  let err = '';
  daemon.stderr.on('data', (d) => { err += d; if (err.includes('tsvirtd: listening')) resolve(); });
  daemon.once('exit', (code) => reject(new Error(`tsvirtd exited (${code}): ${err}`)));
});
const ourSock = join(sockDir, 'tsvirt-sock');
const ourUri = `test+unix:///default?socket=${ourSock}`;
const json = await open(ourUri);

// ---- libvirtd ----
const libvirtd = await startPrivateLibvirtd();
if (libvirtd) stops.push(libvirtd.stop);
const theirSock = libvirtd ? /socket=(.*)$/.exec(libvirtd.uri)[1] : null;

/** A bare client of libvirt's REMOTE program on a unix socket: core's codec and tables, nothing else. */
async function remoteClient(sock) {
  const socket = connect(sock);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const decoder = new FrameDecoder();
  const waiting = new Map();
  socket.on('data', (d) => { for (const f of decoder.push(d)) waiting.get(f.header.serial)?.(f); });
  let serial = 0;
  const call = (procedure, type, value, retType) => new Promise((resolve, reject) => {
    const s = ++serial;
    waiting.set(s, (f) => {
      waiting.delete(s);
      if (f.header.status !== MessageStatus.OK) reject(new Error(JSON.stringify(decodeXdr(remoteXdr.remote_error, f.body))));
      else resolve(retType ? decodeXdr(retType, f.body) : undefined);
    });
    const body = type ? encodeXdr(type, value) : undefined;
    socket.write(encodeFrame({ program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure, type: MessageType.CALL, serial: s, status: MessageStatus.OK }, body));
  });
  await call(P.CONNECT_OPEN, remoteXdr.remote_connect_open_args, { name: 'test:///default', flags: 0 }, null);
  const pairs = async (seconds) => {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      const { dom } = await call(P.DOMAIN_LOOKUP_BY_NAME, remoteXdr.remote_domain_lookup_by_name_args, { name: 'test' }, remoteXdr.remote_domain_lookup_by_name_ret);
      await call(P.DOMAIN_GET_INFO, remoteXdr.remote_domain_get_info_args, { dom }, remoteXdr.remote_domain_get_info_ret);
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  return { pairs, stop: () => socket.destroy() };
}
const ourRemote = await remoteClient(ourSock);
stops.push(ourRemote.stop);
const theirRemote = theirSock ? await remoteClient(theirSock) : null;
if (theirRemote) stops.push(theirRemote.stop);

const PY = '/usr/bin/python3';
const pyCode = `
import libvirt, sys
c = libvirt.open(sys.argv[1])
${PYTHON_PAIRS}
for line in sys.stdin:
    print(pairs(1, float(line)), flush=True)
`;
const python = hasLibvirtPython();
const ourPython = python ? pythonRounds(PY, pyCode, [ourUri]) : null;
const theirPython = python && libvirtd ? pythonRounds(PY, pyCode, [libvirtd.uri]) : null;
for (const p of [ourPython, theirPython]) if (p) stops.push(p.stop);
if (!python) console.log("libvirt-python: not installed here (python3-libvirt for /usr/bin/python3); its rows are skipped");

const sides = {
  'floor: bare Node echo, round trips/s (2 per pair)': () => echo.rate(SECONDS),
  'tsvirtd, JSON program, tsvirt client': () => pairsPerSecond(json, 1, SECONDS),
  'tsvirtd, REMOTE program, bare Node XDR client': () => ourRemote.pairs(SECONDS),
  'libvirtd, REMOTE program, bare Node XDR client': () => theirRemote?.pairs(SECONDS) ?? null,
  'tsvirtd, REMOTE program, libvirt-python': () => ourPython?.round(SECONDS) ?? null,
  'libvirtd, REMOTE program, libvirt-python': () => theirPython?.round(SECONDS) ?? null,
};
const results = await interleaved(ROUNDS, sides);
const width = Math.max(...Object.keys(sides).map((k) => k.length));
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(width)}  ${r.median === null ? 'skipped' : `${fmt(r.median)}/s`}  (${r.all.map((x) => fmt(x)).join(', ')})`);
}
const floorPairs = results['floor: bare Node echo, round trips/s (2 per pair)'].median / 2;
console.log(`  the floor allows at most ${fmt(floorPairs)} pairs/s (two round trips each) between two Node processes`);
console.log(`(${loadText()}; ${ROUNDS} rounds of ${SECONDS} s, medians)`);
await json.close();
process.exit(0);
