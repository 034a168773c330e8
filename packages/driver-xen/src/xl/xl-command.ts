// Running xl: one process per call, never through a shell, its output bounded and
// its time limited, so that a toolstack that hangs or floods cannot stall or grow
// the driver. What xl prints is untrusted input for whoever parses it.

import { spawn } from 'node:child_process';
import { ErrorNumber } from '@tsvirt/core';
import { xenError } from '../xen-errors.js';

export interface XlOptions {
  /** the xl binary: a path, or a name looked up on PATH */
  binary: string;
  /** how long one xl call may take (default 60 s: a save or a start can take that) */
  timeoutMs?: number;
}

export interface XlResult {
  stdout: string;
  stderr: string;
}

/** More than xl prints for a host with hundreds of domains. */
const MAX_STDOUT = 16 << 20;
const MAX_STDERR = 64 << 10;

/** xl exited with an error: its own words are in `detail`. */
export class XlFailure extends Error {
  constructor(readonly args: readonly string[], readonly status: number | null, readonly detail: string) {
    super(`xl ${args[0] ?? ''}: ${detail}`);
  }
}

/** The last lines xl wrote to stderr that say something (libxl's own errors come first, xl's summary last). */
export function xlComplaint(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Usage'));
  return (lines.slice(-2).join('; ') || 'no message').slice(0, 1024);
}

/** Run `xl ARGS` (with `input` on stdin); its output when it exits 0, an XlFailure otherwise. */
export function runXl(options: XlOptions, args: readonly string[], input?: string): Promise<XlResult> {
  return new Promise((resolve, reject) => {
    // its own process group, so that a stop reaches whatever xl started (a hung helper must not hold the pipes)
    const child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, LANG: 'C', LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    /** Give up on xl now: kill its group, let go of its pipes, fail the call. */
    const stop = (e: Error) => {
      settle(() => reject(e));
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch { /* already gone */ }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => stop(xenError(ErrorNumber.OPERATION_TIMEOUT, `xl ${args[0]} did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_STDOUT) stop(xenError(ErrorNumber.INTERNAL_ERROR, `xl ${args[0]} printed more than ${MAX_STDOUT} bytes`));
      else out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      // the start of stderr is kept, the rest counted: xl's summary line is in the first lines
      if (errBytes < MAX_STDERR) err.push(d.subarray(0, MAX_STDERR - errBytes));
      errBytes += d.length;
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.once('error', (e: NodeJS.ErrnoException) => stop(new XlFailure(args, null, e.code === 'ENOENT' ? 'not found' : e.message)));
    child.once('close', (status) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (status !== 0) settle(() => reject(new XlFailure(args, status, xlComplaint(stderr))));
      else settle(() => resolve({ stdout, stderr }));
    });
  });
}
