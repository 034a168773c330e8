// Supervision of one QEMU process: exec it with an argv (no shell), as the
// user it should run as, wait for its QMP monitor, notice when it exits, and stop it.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shellQuote } from './native-format.js';
import { QmpClient } from './qmp/qmp-client.js';
import { writeFileAtomic } from '@tsvirt/core/driver';

/** Who QEMU runs as when that is not the caller: ids, and whether the user's supplementary groups apply. */
export interface QemuUser {
  uid: number;
  gid: number;
  /** true: the groups the user database gives the user (initgroups); false: none besides gid */
  initGroups: boolean;
}

export interface QemuStartOptions {
  /** Path of the QEMU binary. */
  binary: string;
  /** QEMU's arguments, without the QMP monitor, which start() adds. */
  args: readonly string[];
  /**
   * Where the QMP socket is bound, in an existing folder. The caller binds it and
   * QEMU inherits the listening socket, so QEMU itself needs no access to the folder.
   */
  monitorPath: string;
  /** QEMU's pid is written here once it runs. */
  pidFile: string;
  /** QEMU's stdout and stderr are appended here, after a header with the argv. */
  logFile: string;
  /** QEMU's whole environment. Default: LC_ALL=C (stable message text) and PATH. */
  env?: Record<string, string>;
  /** Bound on exec to a negotiated monitor. Default 10 s. */
  startTimeoutMs?: number;
  /** Run QEMU as this user (the caller must be root); default: as the caller. */
  user?: QemuUser;
  /** Descriptors QEMU inherits as 4, 5, ... (after the monitor's 3): taps named by fd=N in args. */
  fds?: readonly number[];
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface QemuStopResult {
  exit: QemuExit;
  /** True when QEMU ignored the graceful request and was killed with SIGKILL. */
  forced: boolean;
}

/** QEMU could not be started; no process is left behind. */
export class QemuStartError extends Error {
  override name = 'QemuStartError';
  /** What QEMU wrote to its log during this start (its last 4 KiB). */
  readonly log: string;

  constructor(message: string, log: string, options?: { cause?: unknown }) {
    super(log.trim() === '' ? message : `${message}: ${log.trim()}`, options);
    this.log = log;
  }
}

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 107;
const LOG_TAIL_BYTES = 4096;
const EXIT_GRACE_MS = 200;
const MONITOR_FD = 3;

export class QemuProcess extends EventEmitter<{ exit: [exit: QemuExit] }> {
  /** Exec QEMU and resolve once its QMP monitor is in command mode. */
  static async start(options: QemuStartOptions): Promise<QemuProcess> {
    if (options.args.includes('-daemonize')) throw new TypeError('-daemonize would hide QEMU from supervision');
    const { monitorPath: socketPath, pidFile } = options;
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new TypeError(`QMP socket path is longer than ${MAX_SOCKET_PATH_BYTES} bytes: ${socketPath}`);
    }
    await Promise.all([fs.rm(socketPath, { force: true }), fs.rm(pidFile, { force: true })]);

    const argv = [
      ...options.args,
      // The listening monitor socket is QEMU's descriptor 3 (see below).
      '-chardev', `socket,id=charmonitor,fd=${MONITOR_FD},server=on,wait=off`,
      '-mon', 'chardev=charmonitor,id=monitor,mode=control',
    ];
    const logOffset = await appendLogHeader(options.logFile, options.binary, argv);
    const monitor = await bindListeningSocket(socketPath);
    const log = await fs.open(options.logFile, 'a');
    const started = performance.now();
    const [command, commandArgs] = options.user ? asUser(options.user, options.binary, argv) : [options.binary, argv];
    let child: ChildProcess;
    try {
      child = spawn(command, commandArgs, {
        stdio: ['ignore', log.fd, log.fd, monitor.fd, ...(options.fds ?? [])],
        env: options.env ?? { LC_ALL: 'C', PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
        // Own session: a terminal's Ctrl-C to the daemon's process group must not reach guests.
        detached: true,
      });
    } catch (err) {
      await Promise.all([log.close(), monitor.close()]);
      throw err;
    }
    // Listen before the next await: a failed exec is reported on the next tick.
    const exited = new Promise<QemuExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
    // The child has its own copies of the descriptors.
    await Promise.all([log.close(), monitor.close()]);
    const abort = new AbortController();
    void exited.then(() => abort.abort(new Error('QEMU exited')));
    void spawnFailed.then((err) => abort.abort(new Error(`cannot execute ${command}: ${err.message}`, { cause: err })));

    let qmp: QmpClient;
    try {
      if (child.pid !== undefined) await writeFileAtomic(pidFile, `${child.pid}\n`, 0o644);
      qmp = await QmpClient.connect({ socketPath, timeoutMs: options.startTimeoutMs ?? 10_000, signal: abort.signal });
    } catch (err) {
      // A QEMU that fails during initialisation closes the monitor a moment
      // before it exits: wait briefly so that the error names the exit.
      const exit = await Promise.race([exited, sleep(EXIT_GRACE_MS).then(() => undefined)]);
      // Leave nothing behind: kill and reap a QEMU that is still running.
      if (!exit && child.pid !== undefined) {
        child.kill('SIGKILL');
        await exited;
      }
      await removeRunFiles(socketPath, pidFile);
      const message = exit ? `QEMU ${describeExit(exit)} before its monitor was ready` : (err as Error).message;
      throw new QemuStartError(message, await readFrom(options.logFile, logOffset), { cause: err });
    }
    return new QemuProcess(child, qmp, exited, { socketPath, pidFile, logFile: options.logFile }, performance.now() - started);
  }

  /** The QEMU process's pid. */
  readonly pid: number;
  /** The QMP connection, in command mode. */
  readonly qmp: QmpClient;
  readonly socketPath: string;
  readonly pidFile: string;
  readonly logFile: string;
  /** Milliseconds from exec to a negotiated QMP monitor. */
  readonly startupMs: number;
  /** Resolves when QEMU has exited and been reaped, however that happened. */
  readonly exited: Promise<QemuExit>;
  #child: ChildProcess;
  #exit: QemuExit | undefined;
  #released = false;

  private constructor(
    child: ChildProcess,
    qmp: QmpClient,
    exited: Promise<QemuExit>,
    files: { socketPath: string; pidFile: string; logFile: string },
    startupMs: number,
  ) {
    super();
    this.#child = child;
    this.pid = child.pid!;
    this.qmp = qmp;
    this.socketPath = files.socketPath;
    this.pidFile = files.pidFile;
    this.logFile = files.logFile;
    this.startupMs = startupMs;
    this.exited = exited.then(async (exit) => {
      this.#exit = exit;
      // Once released, the files are another connection's to clean up (maybe already a new QEMU's).
      if (!this.#released) await removeRunFiles(this.socketPath, this.pidFile);
      this.emit('exit', exit);
      return exit;
    });
  }

  /** How QEMU exited, once it has. */
  get exitStatus(): QemuExit | undefined {
    return this.#exit;
  }

  /**
   * Ask QEMU to exit (QMP "quit", or SIGTERM if the monitor is gone) and
   * SIGKILL it if it has not exited within timeoutMs (default 3 s).
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<QemuStopResult> {
    if (this.#exit) return { exit: this.#exit, forced: false };
    if (this.qmp.closed) this.#child.kill('SIGTERM');
    // The reply may be lost when QEMU closes the monitor as it exits: the exit is what counts.
    else this.qmp.execute('quit').catch(() => {});
    const timeout = new AbortController();
    const graceful = await Promise.race([
      this.exited,
      sleep(options.timeoutMs ?? 3000, undefined, { signal: timeout.signal }).then(() => undefined),
    ]);
    timeout.abort();
    if (graceful) return { exit: graceful, forced: false };
    return { exit: await this.kill(), forced: true };
  }

  /**
   * Let this process end without QEMU: the guest keeps running and a later
   * connection reattaches to its monitor (see running-qemu.ts).
   */
  release(): void {
    this.#released = true;
    this.#child.unref();
  }

  /** SIGKILL QEMU and wait until it is reaped. */
  async kill(): Promise<QemuExit> {
    if (!this.#exit) this.#child.kill('SIGKILL');
    return this.exited;
  }
}

/**
 * Bind a listening unix socket at `socketPath` (QEMU's monitor, a character device's)
 * and return its descriptor, to be handed to QEMU. It is bound under a temporary name and renamed into
 * place, because closing a listening socket here (once QEMU has its copy) would
 * remove the name it was bound to.
 */
export async function bindListeningSocket(socketPath: string): Promise<{ fd: number; close: () => Promise<void> }> {
  const temporary = path.join(path.dirname(socketPath), `.${randomBytes(6).toString('hex')}.qmp`);
  const server = net.createServer();
  server.listen(temporary);
  await once(server, 'listening');
  try {
    // Whoever can connect controls the guest: the caller only, whatever its umask.
    await fs.chmod(temporary, 0o600);
    await fs.rename(temporary, socketPath);
  } catch (err) {
    server.close();
    throw err;
  }
  // A listening unix socket's handle has its descriptor (Node keeps it internal).
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { fd, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** setpriv (util-linux) switches to the user and execs QEMU: the pid stays QEMU's. */
function asUser(user: QemuUser, binary: string, argv: readonly string[]): [string, string[]] {
  return ['setpriv', [
    `--reuid=${user.uid}`, `--regid=${user.gid}`, user.initGroups ? '--init-groups' : '--clear-groups', '--', binary, ...argv,
  ]];
}

function describeExit(exit: QemuExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** Write the argv to the log, as libvirt does; returns where QEMU's own output will start. */
async function appendLogHeader(logFile: string, binary: string, argv: readonly string[]): Promise<number> {
  const quoted = [binary, ...argv].map(shellQuote);
  await fs.appendFile(logFile, `${new Date().toISOString()}: starting up\n${quoted.join(' ')}\n`);
  return (await fs.stat(logFile)).size;
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const start = Math.max(offset, size - LOG_TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

async function removeRunFiles(socketPath: string, pidFile: string): Promise<void> {
  // Best effort: QEMU does not know the socket's name, and a leftover is replaced at the next start.
  await Promise.all([fs.rm(socketPath, { force: true }), fs.rm(pidFile, { force: true })]).catch(() => {});
}
