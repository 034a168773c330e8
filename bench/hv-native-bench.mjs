#!/usr/bin/env node
// @tsvirt/hv-native: descriptor-passing round trips per second against a plain Node
// socket echo (the floor: the same round trip with no addon), and the cost of one native
// call against its JavaScript fallback; the two sides of each figure run in turn, round
// after round, and the median is printed. Run after `pnpm build`.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const hv = await import(new URL('../packages/hv-native/dist/index.js', import.meta.url).href).catch((err) => {
  console.error(`cannot import packages/hv-native/dist (run \`pnpm build\` there first): ${err.message}`);
  process.exit(1);
});

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.3);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/** Calls per second and nanoseconds per call of a synchronous function. */
function rate(fn) {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) fn();
    calls += 100;
    now = process.hrtime.bigint();
  }
  const ns = Number(now - start) / calls;
  return { perSecond: 1e9 / ns, ns };
}

async function rateAsync(fn) {
  for (let i = 0; i < 50; i++) await fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    await fn();
    calls++;
    now = process.hrtime.bigint();
  }
  const ns = Number(now - start) / calls;
  return { perSecond: 1e9 / ns, ns };
}

const row = (label, ns) => console.log(`  ${label.padEnd(46)} ${fmt(1e9 / ns).padStart(12)}/s ${fmt(ns).padStart(10)} ns`);

/** Each side's median nanoseconds per call, the sides measured in turn for ROUNDS rounds. */
async function inTurn(sides) {
  const r = await interleaved(ROUNDS, Object.fromEntries(Object.entries(sides).map(([k, measure]) => [k, async () => (await measure()).ns])));
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.median]));
}

function withNativeOff(fn) {
  process.env.TSVIRT_HV_NATIVE = 'off';
  try {
    return fn();
  } finally {
    delete process.env.TSVIRT_HV_NATIVE;
  }
}

const caps = hv.capabilities();
console.log(`@tsvirt/hv-native bench (node ${process.version}, ${ROUNDS} rounds of ${SECONDS} s per figure; ${loadText()})`);
console.log(`  addon: ${caps.addon.loaded ? 'loaded' : `not loaded: ${caps.addon.reason}`}`);

// --- descriptor passing -------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'hv-native-bench-'));
const path = join(dir, 'bench.sock');
const server = net.createServer({ pauseOnConnect: true });
await new Promise((resolve) => server.listen(path, resolve));
const accepted = new Promise((resolve) => server.once('connection', resolve));
const a = net.connect(path);
a.pause(); // never read by Node, so recvFds may use it
await new Promise((resolve) => a.once('connect', resolve));
const b = await accepted;
const fd = openSync(process.execPath, 'r');
const ping = Buffer.from('p');

// Plain Node sockets: what a byte's round trip costs with no addon at all (the floor).
const server2 = net.createServer();
const path2 = join(dir, 'plain.sock');
await new Promise((resolve) => server2.listen(path2, resolve));
server2.on('connection', (s) => s.on('data', (d) => s.write(d)));
const c = net.connect(path2);
await new Promise((resolve) => c.once('connect', resolve));
let wake;
c.on('data', () => wake());
const plainEcho = () => rateAsync(() => new Promise((resolve) => {
  wake = resolve;
  c.write(ping);
}));

console.log('\ndescriptor passing over a unix socket (one process, both ends):');
if (caps.fdPassing.path === 'native') {
  const r = await inTurn({
    fd: () => rateAsync(async () => {
      hv.sendFds(a, ping, [fd]);
      const there = await hv.recvFds(b);
      hv.sendFds(b, ping, there.fds);
      there.fds.forEach(closeSync);
      const back = await hv.recvFds(a);
      back.fds.forEach(closeSync);
    }),
    byte: () => rateAsync(async () => {
      a.write(ping);
      await hv.recvFds(b, { maxFds: 0 });
      b.write(ping);
      await hv.recvFds(a, { maxFds: 0 });
    }),
    floor: plainEcho,
  });
  row('round trip, 1 fd each way (SCM_RIGHTS)', r.fd);
  row('round trip, 1 byte, no fd (same recvFds path)', r.byte);
  row('floor: round trip, 1 byte, plain Node socket echo', r.floor);
} else {
  console.log(`  unavailable: ${caps.fdPassing.detail}`);
  row('floor: round trip, 1 byte, plain Node socket echo', (await inTurn({ floor: plainEcho })).floor);
}
a.destroy();
b.destroy();
server.close();
c.destroy();
server2.close();
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

// --- one native call against its fallback ---------------------------------------------
console.log('\none call, native path against the JavaScript fallback:');
const pid = process.pid;
const pairs = [
  ['getAffinity(tid): sched_getaffinity | /proc status', () => hv.getAffinity(pid)],
  ['probeCpu(): cpuid | /proc/cpuinfo', () => hv.probeCpu()],
  ['probeKvm(): ioctls | open /dev/kvm only', () => hv.probeKvm()],
];
for (const [label, fn] of pairs) {
  console.log(`  ${label}`);
  const r = await inTurn({
    ...(caps.addon.loaded ? { native: async () => rate(fn) } : {}),
    fallback: async () => withNativeOff(() => rate(fn)),
  });
  if (r.native !== undefined) row('  native', r.native);
  row('  fallback (TSVIRT_HV_NATIVE=off)', r.fallback);
}
if (caps.cpuProbe.path === 'native') row('cpuid(0): one bare native call', (await inTurn({ call: async () => rate(() => hv.cpuid(0)) })).call);

// libvirt does these inside libvirtd (virProcessSetAffinity, qemuMonitorSendFileHandle,
// virHostCPU probes) and exposes no call that does only this work.
const virsh = spawnSync('virsh', ['--version'], { encoding: 'utf8' });
console.log(
  `\nlibvirt ${virsh.error ? 'is not installed' : virsh.stdout.trim()}: no public call does only this work, so no side-by-side figure.`,
);
console.log(`hv-native: done, ${loadText()}`);
