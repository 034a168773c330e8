import { ErrorNumber, open, VirError, type Connect } from '@tsvirt/core';
import { ConnectEntry, isRemoteDriver } from '@tsvirt/core/driver';
import { Level, VirshLog } from './virsh-log.js';

export interface VirshOptions {
  uri: string | undefined;
  readOnly: boolean;
  quiet: boolean;
  /** with a daemon: seconds between keepalive pings (0: none) and how many may go unanswered */
  keepalive?: { interval: number; count: number };
  /** debug messages and the log file (-d, -l) */
  log?: VirshLog;
  /** print each command's time after it (-t) */
  timing?: boolean;
  /** the console's escape sequence (-e): one character, or ^ and a letter */
  escape?: string;
}

const QUIET_LOG = new VirshLog();

/**
 * What a virsh session carries from command to command: the connection (opened on
 * first need), the output streams, quiet mode, and the error to report.
 */
export class VirshContext {
  private conn: Connect | null = null;
  /** set by quit/exit: the interactive shell stops reading */
  quitRequested = false;
  /** cd and pwd work only in the interactive shell, as in virsh */
  interactive = false;
  /** the command running now, which names debug messages */
  command = '';

  constructor(
    public options: VirshOptions,
    private readonly stdout: (s: string | Uint8Array) => void = (s) => process.stdout.write(s),
    private readonly stderr: (s: string) => void = (s) => process.stderr.write(s),
  ) {}

  /** Text, or bytes as they are (a secret's value with --plain). */
  print(s: string | Uint8Array): void {
    this.stdout(s);
  }

  /** Output that quiet mode leaves out (virsh's vshPrintExtra). */
  printExtra(s: string): void {
    if (!this.options.quiet) this.stdout(s);
  }

  /** A progress line (--verbose), on standard error as virsh draws it. */
  progress(s: string): void {
    this.stderr(s);
  }

  error(message: string): void {
    this.stderr(`error: ${message}\n`);
    this.log.toFile(Level.ERROR, message);
  }

  get log(): VirshLog {
    return this.options.log ?? QUIET_LOG;
  }

  /** A debug message of the running command (virsh's vshDebug). */
  debug(level: Level, message: string): void {
    if (!this.log.shows(level)) return;
    this.stdout(`${message}\n`);
    this.log.toFile(level, message);
  }

  /** Report a failed API call as virsh does: its message, or a generic one for a non-VirError. */
  reportError(e: unknown): void {
    this.error(e instanceof VirError ? e.message : e instanceof Error ? e.message : String(e));
  }

  get connected(): Connect | null {
    return this.conn;
  }

  /** The connection, opened now if need be; null (reported) when it cannot be opened. */
  async connection(): Promise<Connect | null> {
    if (this.conn) return this.conn;
    try {
      this.conn = await open(this.options.uri, { readOnly: this.options.readOnly, keepalive: this.options.keepalive });
      // keepalive is a daemon's: a driver in this process has none, as libvirt's test driver
      if (this.conn instanceof ConnectEntry && !isRemoteDriver(this.conn.driver)) this.debug(Level.INFO, 'Failed to setup keepalive on connection');
      return this.conn;
    } catch (e) {
      const unloadable = e instanceof VirError && e.code === ErrorNumber.XML_ERROR && /^XML error: failed to parse xml document '(.*)'$/.exec(e.message);
      // libvirt's XML library warns on stderr about a file it cannot load, before virsh reports the error
      if (unloadable) this.stderr(`I/O warning : failed to load external entity "${unloadable[1]}"\n`);
      this.error('failed to connect to the hypervisor');
      this.reportError(e);
      return null;
    }
  }

  async reconnect(options: VirshOptions): Promise<boolean> {
    await this.close();
    this.options = options;
    return (await this.connection()) !== null;
  }

  /**
   * Close the connection if its driver runs in this process (a QEMU driver here holds
   * its guests' monitors); a daemon's connection stays, with what it streams.
   */
  async closeIfInProcess(): Promise<void> {
    if (this.conn instanceof ConnectEntry && !isRemoteDriver(this.conn.driver)) await this.close();
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (c) await c.close().catch(() => undefined);
  }
}
