// What every benchmark here shares: the machine's load (printed before and after, since a
// busy machine slows every side), medians, rounds run in turn so that the sides share
// whatever the machine is doing, and the floor of starting a bare Node process.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

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
