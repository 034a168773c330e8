import { appendFileSync, closeSync, openSync } from 'node:fs';

// virsh's debug level and log file (-d, -l; VIRSH_DEBUG and VIRSH_LOG_FILE): a message of
// a level at or above the chosen one is shown (on standard output, as libvirt's virsh
// shows it), and every such message goes to the log file, stamped as libvirt stamps it.

export enum Level { DEBUG = 0, INFO = 1, NOTICE = 2, WARNING = 3, ERROR = 4 }

const LEVEL_NAMES = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR'];

const two = (n: number) => String(n).padStart(2, '0');

/** `[2026.12.07 14:28:27 virsh 27039] INFO `: local time, virsh's process id, the level. */
function stamp(level: Level, now = new Date()): string {
  const date = `${now.getFullYear()}.${two(now.getMonth() + 1)}.${two(now.getDate())}`;
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `[${date} ${time} virsh ${process.pid}] ${LEVEL_NAMES[level]} `;
}

export class LogFileError extends Error {}

export class VirshLog {
  /**
   * @param level the least level shown (libvirt's default: errors only)
   * @param file the log file, created (mode 0600) or appended to
   */
  constructor(readonly level: Level = Level.ERROR, readonly file?: string) {
    if (file !== undefined) {
      try {
        closeSync(openSync(file, 'a', 0o600));
      } catch {
        throw new LogFileError('failed to open the log file. check the log file path');
      }
    }
  }

  /** Whether a message of this level is shown and logged. */
  shows(level: Level): boolean {
    return level >= this.level;
  }

  /** A message's line in the log file, when its level is shown. */
  toFile(level: Level, message: string): void {
    if (this.file === undefined || level < this.level) return;
    try {
      appendFileSync(this.file, `${stamp(level)}${message}\n`);
    } catch { /* a log that cannot be written must not stop the command */ }
  }
}
