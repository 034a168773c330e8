// The user's own tsvirtd, started by the first client that needs it, as libvirt's clients
// start the per-user session daemon: one process then owns each guest's monitor and any
// number of clients share it. The daemon makes sure only one of several started at once
// stays (it holds a lock for its socket folder), and exits by itself once it has been
// idle for a while with no guests running.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { ConnectUri } from '../uri/connect-uri.js';
import { findProgram, isExecutable } from '../util/executable.js';
import { defaultSocketPath } from './socket-paths.js';

/** How long a started daemon stays with no clients and no guests, in seconds (libvirt's is 120). */
const IDLE_TIMEOUT = 120;
/** How long a client waits for the daemon it started to answer: a loaded machine may take seconds. */
const START_DEADLINE_MS = 30_000;

/**
 * Whether a client may start the daemon for this URI: a session URI of an unprivileged
 * user (the system daemon is the service manager's), unless TSVIRT_AUTOSTART=0 says not
 * to (libvirt's LIBVIRT_AUTOSTART).
 */
export function mayStartSessionDaemon(uri: ConnectUri): boolean {
  return uri.path === '/session' && (process.getuid?.() ?? 0) !== 0 && process.env.TSVIRT_AUTOSTART !== '0' && uri.query.get('socket') === undefined;
}

/** The folder of the package this file is part of (a bundle's, when bundled). */
function ownPackageFolder(): string | null {
  for (let dir = dirname(new URL(import.meta.url).pathname); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

/** A @tsvirt/daemon package folder's tsvirtd, run by this Node (which need not be the one on PATH). */
function daemonBin(pkgJson: string): string[] | null {
  try {
    if ((JSON.parse(readFileSync(pkgJson, 'utf8')) as { name?: string }).name !== '@tsvirt/daemon') return null;
  } catch {
    return null;
  }
  const bin = join(dirname(pkgJson), 'bin', 'tsvirtd');
  return isExecutable(bin) ? [process.execPath, bin] : null;
}

/**
 * The tsvirtd program as [command, ...args]: $TSVIRTD; else @tsvirt/daemon where this
 * application's packages are installed (found as driver packages are), or beside this
 * package in its scope folder (a workspace, a global install); else tsvirtd on PATH. Null
 * when none is installed.
 */
export function findTsvirtd(): string[] | null {
  const fromEnv = process.env.TSVIRTD;
  if (fromEnv) return [fromEnv];
  const bases = [process.argv[1] ? dirname(resolve(process.argv[1])) : null, dirname(new URL(import.meta.url).pathname)];
  for (const base of bases) {
    if (!base) continue;
    try {
      const found = daemonBin(createRequire(`${base}/`).resolve('@tsvirt/daemon/package.json'));
      if (found) return found;
    } catch {
      // not installed there
    }
  }
  const own = ownPackageFolder();
  const beside = own && daemonBin(join(own, '..', 'daemon', 'package.json'));
  if (beside) return beside;
  const onPath = findProgram('tsvirtd');
  return onPath ? [onPath] : null;
}

/** Whether something listens on a unix socket. */
const answers = (path: string) => new Promise<boolean>((resolve) => {
  const s = connect(path);
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

/** Where a started daemon's messages go: libvirt's session daemon logs under the user's cache folder too. */
function logPath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(process.env.HOME || '/', '.cache');
  return join(cache, 'tsvirt', 'tsvirtd.log');
}

const lastLine = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
  } catch {
    return '';
  }
};

/**
 * Start the user's tsvirtd in the background (its own session, so that it outlives this
 * process and its terminal) and wait until its socket answers. False when no tsvirtd is
 * installed; a daemon that cannot start is an error that says why.
 */
export async function startSessionDaemon(readOnly: boolean): Promise<boolean> {
  const command = findTsvirtd();
  if (!command) return false;
  const socket = defaultSocketPath(readOnly);
  const log = logPath();
  mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
  const logFd = openSync(log, 'a', 0o600);
  const timeout = process.env.TSVIRTD_IDLE_TIMEOUT || String(IDLE_TIMEOUT);
  let exited: number | null = null;
  let spawnError: Error | null = null;
  try {
    const child = spawn(command[0]!, [...command.slice(1), '--timeout', timeout], { detached: true, stdio: ['ignore', 'ignore', logFd], cwd: '/' });
    child.once('exit', (code, signal) => { exited = code ?? (signal ? 128 : 1); });
    child.once('error', (e) => { spawnError = e; });
    child.unref();
  } finally {
    closeSync(logFd);
  }
  const fail = (why: string) => VirError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC, `Failed to start the session daemon ${command.at(-1)}: ${why}`);
  const deadline = Date.now() + START_DEADLINE_MS;
  for (let wait = 2; Date.now() < deadline; wait = Math.min(wait * 2, 100)) {
    if (await answers(socket)) return true;
    if (spawnError) throw fail((spawnError as Error).message);
    // One that lost the race to a daemon started at the same moment says so and exits: the
    // winner answers soon. Any other exit is a daemon that cannot start.
    if (exited !== null && !/another tsvirtd/.test(lastLine(log))) throw fail(lastLine(log) || `exit status ${exited}`);
    await sleep(wait);
  }
  throw fail(`its socket ${socket} did not answer within ${START_DEADLINE_MS / 1000} s (see ${log})`);
}
