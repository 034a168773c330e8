// What every benchmark here shares: the machine's load (printed before and after, since a
// busy machine slows every side), medians, rounds run in turn so that the sides share
// whatever the machine is doing, and the floor of starting a bare Node process.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';

/** "load 1.23 0.98 0.75 on 2 CPUs" (1, 5 and 15 minute averages). */
export const loadText = () => `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism?.() ?? os.cpus().length} CPUs`;

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const fmt = (n, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Run `rounds` rounds; in each, every side once, in turn. `sides` maps a name to an async
 * function returning one figure (or null when that side cannot run). The median of each
 * side's figures, and all of them.
 */
export async function interleaved(rounds, sides) {
  const figures = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(sides)) {
      const f = await run(r);
      if (f !== null && f !== undefined) figures[name].push(f);
    }
  }
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, { median: v.length ? median(v) : null, all: v }]));
}

/** Wall time of one process, in milliseconds (null when it failed). */
export function wallMs(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...options });
  return r.status === 0 ? Number(process.hrtime.bigint() - t0) / 1e6 : null;
}

/** The floor of any Node command: `node -e 0`. */
export const bareNode = () => wallMs(process.execPath, ['-e', '0']);

/**
 * The floor of sequential RPC: a bare request/reply echo between two Node processes over
 * a unix socket in `dir`. `rate(seconds)` gives round trips per second, one 64-byte
 * message at a time; `stop()` ends both ends.
 */
export async function startEchoFloor(dir) {
  const sock = join(dir, 'echo.sock');
  const server = spawn(process.execPath, ['-e', `require('net').createServer((s) => s.on('data', (d) => s.write(d))).listen(${JSON.stringify(sock)})`], { stdio: 'ignore' });
  // the socket's file appears a moment before the server listens on it
  let client = null;
  for (let i = 0; i < 200 && client === null; i++) {
    const tried = connect(sock);
    client = await new Promise((resolve) => { tried.once('connect', () => resolve(tried)); tried.once('error', () => resolve(null)); });
    if (client === null) await new Promise((r) => setTimeout(r, 25));
  }
  if (client === null) throw new Error('the echo server did not start');
  const rate = (seconds) => {
    const message = Buffer.alloc(64);
    let trips = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    return new Promise((resolve) => {
      const onData = () => {
        trips++;
        if (performance.now() < end) client.write(message);
        else { client.off('data', onData); resolve(trips / ((performance.now() - t0) / 1000)); }
      };
      client.on('data', onData);
      client.write(message);
    });
  };
  return { rate, stop: () => { client.destroy(); server.kill(); } };
}

/** lookupDomainByName('test') + getInfo() pairs per second on a tsvirt connection, `lanes` at a time. */
export async function pairsPerSecond(conn, lanes, seconds) {
  let pairs = 0;
  const end = performance.now() + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      await (await conn.lookupDomainByName('test')).getInfo();
      pairs++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: lanes }, lane));
  return pairs / ((performance.now() - t0) / 1000);
}

/**
 * A Python process that runs a timed round each time it is asked: `round(line)` writes the
 * line (its seconds, and whatever else `code` reads from it) and resolves to the number
 * the process prints back (NaN if it died).
 */
export function pythonRounds(python, code, args, env = {}) {
  const proc = spawn(python, ['-c', code, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  let buffered = '';
  proc.stdout.on('data', (d) => {
    buffered += d;
    for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1)) waiting.shift()?.(Number(buffered.slice(0, i)));
  });
  proc.on('exit', () => { for (const w of waiting.splice(0)) w(NaN); });
  return {
    round: (line) => new Promise((resolve) => { waiting.push(resolve); proc.stdin.write(`${line}\n`); }),
    stop: () => proc.kill(),
  };
}

/**
 * Python source of `pairs(lanes, seconds)`: lookupByName('test') + info() pairs per second
 * on the connection `c`, from `lanes` threads (libvirt-python releases the GIL while a
 * call is on the wire, so threads are its way of having calls in flight).
 */
export const PYTHON_PAIRS = `
import threading, time
def pairs(lanes, seconds):
    end = time.perf_counter() + seconds
    counts = [0] * lanes
    def lane(i):
        while time.perf_counter() < end:
            c.lookupByName('test').info()
            counts[i] += 1
    threads = [threading.Thread(target=lane, args=(i,)) for i in range(lanes)]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    return sum(counts) / (time.perf_counter() - t0)
`;
