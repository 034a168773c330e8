// edit, net-edit, pool-edit, snapshot-edit: the object's XML in a temporary file, the
// user's editor on it, and the object defined again from what they saved, as libvirt's
// virsh does it (its words, its "Try again?" loop on a terminal, its answers without one).

import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, statSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { ReadStream } from 'node:tty';
import type { VirshContext } from '../virsh-context.js';

/** What editing one kind of object needs. */
export interface XmlEditing {
  /** the XML the editor starts from; read again before defining, to notice someone else's change */
  dump(): Promise<string>;
  /** define the object from the edited XML, without validation when `relaxed`; its name for the message */
  define(xml: string, relaxed: boolean): Promise<string>;
  /** whether the definition validates, so that 'i' (define without validation) is offered */
  relaxable: boolean;
  /** the line for an editor that changed nothing */
  unchanged: string;
  /**
   * The line once defined. A failure that could not be retried (no terminal to ask) still
   * ends with this line and success in libvirt's virsh, with "(null)" for the name; null
   * where libvirt's virsh has no such line (it crashes), which is then a failure.
   */
  edited: (name: string) => string;
  failedEdited: string | null;
}

/** Characters an editor command or file name may hold and still be run without a shell. */
const PLAIN = /^[A-Za-z0-9\-_.:/@]*$/;

const TEMPLATE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new file $TMPDIR/virshXXXXXX.xml, mode 0600, holding `text`; null (reported) when it cannot be made. */
function writeTempFile(ctx: VirshContext, text: string): string | null {
  const dir = process.env.TMPDIR || '/tmp';
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = `${dir}/virsh${Array.from({ length: 6 }, () => TEMPLATE_CHARS[randomInt(TEMPLATE_CHARS.length)]).join('')}.xml`;
    let fd: number;
    try {
      fd = openSync(name, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      ctx.error(`g_mkstemp_full: failed to create temporary file: ${errnoText(e)}`);
      return null;
    }
    try {
      writeSync(fd, text);
    } catch (e) {
      ctx.error(`${name}: failed to write xml to temporary file: ${errnoText(e)}`);
      closeSync(fd);
      unlinkSync(name);
      return null;
    } finally {
      closeSync(fd);
    }
    return name;
  }
  ctx.error('g_mkstemp_full: failed to create temporary file: File exists');
  return null;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOSPC: 'No space left on device', EROFS: 'Read-only file system', EISDIR: 'Is a directory',
};
const errnoText = (e: unknown) => ERRNO_TEXT[(e as NodeJS.ErrnoException).code ?? ''] ?? (e as Error).message;

/** Run $VISUAL, else $EDITOR, else vi on the file, through sh when the command needs one; false (reported) when it failed. */
function runEditor(ctx: VirshContext, file: string): boolean {
  // set but empty is set, as for libvirt's virsh
  const editor = process.env.VISUAL ?? process.env.EDITOR ?? 'vi';
  let argv: string[];
  let shown: string;
  if (PLAIN.test(editor)) {
    argv = [editor, file];
    shown = `${editor} ${file}`;
  } else {
    if (!PLAIN.test(file)) {
      ctx.error(`${file}: temporary filename contains shell meta or other unacceptable characters (is $TMPDIR wrong?)`);
      return false;
    }
    argv = ['sh', '-c', `${editor} ${file}`];
    shown = `sh -c '${editor} ${file}'`;
  }
  if (!argv[0].includes('/') && !inPath(argv[0])) {
    ctx.error(`Cannot find '${argv[0]}' in path: No such file or directory`);
    return false;
  }
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    // what libvirt's child process says before it exits 127
    process.stderr.write(`libvirt:  error : cannot execute binary ${argv[0]}: No such file or directory\n`);
    ctx.error(`internal error: Child process (${shown}) unexpected exit status 127`);
    return false;
  }
  if (r.signal) {
    ctx.error(`internal error: Child process (${shown}) unexpected fatal signal ${osSignal(r.signal)}`);
    return false;
  }
  if (r.status !== 0) {
    ctx.error(`internal error: Child process (${shown}) unexpected exit status ${r.status ?? 'unknown'}`);
    return false;
  }
  return true;
}

/** Whether a command name is an executable file in one of $PATH's folders. */
function inPath(name: string): boolean {
  if (name === '') return false;
  return (process.env.PATH ?? '').split(':').some((d) => {
    try {
      accessSync(`${d || '.'}/${name}`, constants.X_OK);
      return statSync(`${d || '.'}/${name}`).isFile();
    } catch {
      return false;
    }
  });
}

const osSignal = (name: NodeJS.Signals) => {
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
  return signals[name] ?? name;
};

/** One byte from standard input, waiting for it (the descriptor may be non-blocking). */
function readKey(into: Buffer): number {
  for (;;) {
    try {
      return readSync(0, into, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/**
 * On a terminal: report the error, then ask until the answer is one of y, n, f (and i
 * when offered), one key at a time as libvirt's virsh reads it. Without a terminal
 * there is no one to ask: null.
 */
function askReedit(ctx: VirshContext, message: string, relaxable: boolean, pending: unknown): string | null {
  const input = process.stdin;
  if (!input.isTTY || !(input instanceof ReadStream)) return null;
  if (pending !== undefined) ctx.reportError(pending);
  const choices = relaxable ? '[y,n,i,f,?]' : '[y,n,f,?]';
  // Node's raw mode keeps output post-processing: "\n" reaches the terminal as libvirt's "\r\n"
  input.setRawMode(true);
  const one = Buffer.alloc(1);
  let answer = '';
  try {
    for (;;) {
      ctx.print(`\r${message} Try again? ${choices}: `);
      const n = readKey(one);
      answer = n === 1 ? one.toString('latin1').toLowerCase() : 'n';
      if (answer === '?') {
        ctx.print(['', 'y - yes, start editor again', 'n - no, throw away my changes',
          ...(relaxable ? ['i - turn off validation and try to redefine again'] : []),
          'f - force, try to redefine again', '? - print this help'].map((l) => `${l}\n`).join(''));
        continue;
      }
      if (answer === 'y' || answer === 'n' || answer === 'f' || (relaxable && answer === 'i')) break;
    }
  } finally {
    input.setRawMode(false);
  }
  ctx.print('\r\n');
  return answer;
}

/** The object's XML; null (reported) when it cannot be read. */
async function dumpOrReport(ctx: VirshContext, editing: XmlEditing): Promise<string | null> {
  try {
    return await editing.dump();
  } catch (e) {
    ctx.reportError(e);
    return null;
  }
}

/** The whole edit: true when the object was defined again or left unchanged. */
export async function editXml(ctx: VirshContext, editing: XmlEditing): Promise<boolean> {
  let doc = await dumpOrReport(ctx, editing);
  if (doc === null) return false;
  const file = writeTempFile(ctx, doc);
  if (file === null) return false;
  let relaxable = editing.relaxable;
  let relaxed = false;
  try {
    for (;;) {
      if (!runEditor(ctx, file)) return false;
      let edited: string;
      try {
        edited = readFileSync(file, 'utf8');
      } catch (e) {
        ctx.error(`${file}: failed to read temporary file: ${errnoText(e)}`);
        return false;
      }
      if (edited === doc) {
        ctx.printExtra(editing.unchanged);
        return true;
      }
      for (;;) {
        let message: string | null = null;
        let pending: unknown;
        const reread = await dumpOrReport(ctx, editing);
        if (reread === null) return false;
        if (reread !== doc) {
          message = 'The XML configuration was changed by another user.';
          doc = reread;
        } else {
          try {
            ctx.printExtra(editing.edited(await editing.define(edited, relaxed)));
            return true;
          } catch (e) {
            message = 'Failed.';
            pending = e;
          }
        }
        const answer = askReedit(ctx, message, relaxable, pending);
        if (answer === 'y') break;
        if (answer === 'f') continue;
        if (answer === 'n') return false;
        if (answer === 'i') {
          relaxed = true;
          relaxable = false;
          continue;
        }
        ctx.error(message);
        if (editing.failedEdited === null) return false;
        ctx.printExtra(editing.failedEdited);
        return true;
      }
    }
  } finally {
    try { unlinkSync(file); } catch { /* already gone: the editor may have replaced it */ }
  }
}
