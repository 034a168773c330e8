/** What virsh's own options (before the command) ask for. */
export interface GlobalOptions {
  uri: string | undefined;
  readOnly: boolean;
  quiet: boolean;
  action: 'run' | 'help' | 'version-short' | 'version-long';
  /** -k and -K: keepalive with a daemon, in seconds and missed pings (libvirt's virsh: 5 and 6) */
  keepalive: { interval: number; count: number };
  /** -d: the least level of debug message shown (0 debug .. 4 error), if given */
  debug: number | undefined;
  /** -l: the file that every message of that level or above is appended to */
  logFile: string | undefined;
  /** -t: each command's time after it */
  timing: boolean;
  /** -e: the console's escape sequence, as given (a character, or ^ and a letter) */
  escape: string;
  /** what virsh says and then goes on (a debug level out of range) */
  warnings: string[];
  /** the command words after the options */
  rest: string[];
}

export class GlobalOptionError extends Error {}

const WITH_VALUE = new Map([['c', 'connect'], ['d', 'debug'], ['e', 'escape'], ['k', 'keepalive-interval'], ['K', 'keepalive-count'], ['l', 'log']]);
const FLAGS = new Map([['h', 'help'], ['q', 'quiet'], ['r', 'readonly'], ['t', 'timing'], ['v', 'version'], ['V', 'long-version']]);

/** A -k or -K value, checked with libvirt's virsh's words. */
function keepaliveValue(option: string, value: string | undefined): number {
  if (!/^\s*[-+]?\d+$/.test(value ?? '')) throw new GlobalOptionError(`Invalid value for option ${option}`);
  const n = Number(value);
  if (n < 0) throw new GlobalOptionError(`option ${option} requires a positive integer argument`);
  return n;
}

/** A -d value: a number (else an error); out of 0..4 it is ignored with a warning, as in virsh. */
function debugValue(o: GlobalOptions, value: string | undefined): void {
  if (!/^\s*[-+]?\d+$/.test(value ?? '')) throw new GlobalOptionError('option -d takes a numeric argument');
  const n = Number(value);
  if (n < 0 || n > 4) o.warnings.push(`ignoring debug level ${n} out of range [0-4]`);
  else o.debug = n;
}

/** Letters and @ [ \\ ] ^ _: what may follow ^ in an escape sequence (a control character). */
const ESCAPE_LETTER = /^[a-z@-_]$/;

/** An -e value: one character other than ^, or ^ and a letter. */
function escapeValue(value: string | undefined): string {
  const v = value ?? '';
  if ((v.length === 1 && v !== '^') || (v.length === 2 && v[0] === '^' && ESCAPE_LETTER.test(v[1]))) return v;
  throw new GlobalOptionError(`Invalid string '${v}' for escape sequence`);
}

/** Parse virsh's options as getopt_long does: they end at the first non-option word. */
export function parseGlobalOptions(argv: string[]): GlobalOptions {
  const o: GlobalOptions = {
    uri: undefined, readOnly: false, quiet: false, action: 'run', keepalive: { interval: 5, count: 6 },
    debug: undefined, logFile: undefined, timing: false, escape: '^]', warnings: [], rest: [],
  };
  const apply = (name: string, value: string | undefined) => {
    switch (name) {
      case 'connect': o.uri = value; break;
      case 'readonly': o.readOnly = true; break;
      case 'quiet': o.quiet = true; break;
      case 'help': o.action = 'help'; break;
      case 'long-version': o.action = 'version-long'; break;
      case 'version': o.action = value === 'long' ? 'version-long' : 'version-short'; break;
      case 'keepalive-interval': o.keepalive.interval = keepaliveValue('-k', value); break;
      case 'keepalive-count': o.keepalive.count = keepaliveValue('-K', value); break;
      case 'debug': debugValue(o, value); break;
      case 'escape': o.escape = escapeValue(value); break;
      case 'log': o.logFile = value; break;
      case 'timing': o.timing = true; break;
    }
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const takesValue = [...WITH_VALUE.values()].includes(name);
      const isFlag = [...FLAGS.values()].includes(name) && name !== 'long-version';
      if (!takesValue && !isFlag) throw new GlobalOptionError(`unsupported option '${a}'. See --help.`);
      let value = eq < 0 ? undefined : a.slice(eq + 1);
      if (takesValue && value === undefined) {
        if (i + 1 >= argv.length) throw new GlobalOptionError(`option '${a}' requires an argument`);
        value = argv[++i];
      }
      apply(name, value);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const long = WITH_VALUE.get(c);
        if (long) {
          const value = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (value === undefined) throw new GlobalOptionError(`option requires an argument -- '${c}'`);
          apply(long, value);
          break;
        }
        const flag = FLAGS.get(c);
        if (!flag) throw new GlobalOptionError(`unsupported option '-${c}'. See --help.`);
        apply(flag, undefined);
      }
    } else {
      break;
    }
  }
  o.rest = argv.slice(i);
  return o;
}
