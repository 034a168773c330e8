// The syntax of Xen's domain configuration files, in its two dialects:
//  - 'xl': xl.cfg(5) as xl's own parser (libxlutil) reads it: lower-case names, "..." and
//    '...' strings with C-like escapes on one line, numbers (decimal, 0x hex, 0 octal),
//    nested lists, `name += value` to append, `;` or a newline between settings, `#`
//    comments that end with a newline.
//  - 'xm': the older xm configs as libvirt reads them: names with capitals and `_`, strings
//    without escapes, """triple-quoted""" strings, signed numbers.
// A value is kept with its kind (string, number, list) so that what is written back reads
// the same. Input is a user's file: its size and list depth are bounded, and every fault
// is a VIR_ERR_CONF_SYNTAX VirError naming the line and column.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

export type ConfigDialect = 'xl' | 'xm';

export type ConfigValue =
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'list'; items: ConfigValue[] };

export interface ConfigSetting {
  name: string;
  value: ConfigValue;
  /** where the value starts (1-based) */
  line: number;
  column: number;
}

/** Bounds on what a config may be: far above any real one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_LIST_DEPTH = 8;

export const configSyntaxError = (line: number, column: number, what: string): VirError =>
  VirError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.CONF, `line ${line}, column ${column}: ${what}`);

type TokenKind = 'name' | 'number' | 'string' | 'newline' | 'eof' | '=' | '+=' | '[' | ']' | ',' | ';';
interface Token {
  kind: TokenKind;
  text: string;
  /** the decoded value of a string token */
  value?: string;
  line: number;
  column: number;
}

const NAME = { xl: /[a-z][a-z0-9_.]*/y, xm: /[A-Za-z_][A-Za-z0-9_.]*/y };
// xl reads a number token as far as hex digits and x go, then converts it as C's strtol(,,0) does
const NUMBER = { xl: /[0-9][0-9a-fx]*/y, xm: /[-+]?[0-9]+/y };
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const describe = (t: Token): string => {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'newline') return 'end of line';
  if (t.kind === 'name') return `name '${t.text}'`;
  if (t.kind === 'number') return `number ${t.text}`;
  if (t.kind === 'string') return `string ${t.text}`;
  return `'${t.text}'`;
};

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly src: string, private readonly dialect: ConfigDialect) {}

  private fail(what: string, at = this.pos): never {
    throw configSyntaxError(this.line, at - this.lineStart + 1, what);
  }

  private token(kind: TokenKind, start: number, end: number, value?: string): Token {
    this.pos = end;
    return { kind, text: this.src.slice(start, end), value, line: this.line, column: start - this.lineStart + 1 };
  }

  next(): Token {
    const s = this.src;
    for (;;) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '#') {
        const nl = s.indexOf('\n', this.pos);
        // xl's comment is a line: one that the file's end cuts off is refused, as xl refuses it
        if (nl < 0) {
          if (this.dialect === 'xl') this.fail('a comment must end with a newline');
          this.pos = s.length;
        } else this.pos = nl;
      } else break;
    }
    const start = this.pos;
    if (start >= s.length) return this.token('eof', start, start);
    const c = s[start];
    if (c === '\n') {
      const t = this.token('newline', start, start + 1);
      this.newLine();
      return t;
    }
    if (c === '\r' && this.dialect === 'xm' && s[start + 1] === '\n') {
      const t = this.token('newline', start, start + 2);
      this.newLine();
      return t;
    }
    if (c === '+' && s[start + 1] === '=' && this.dialect === 'xl') return this.token('+=', start, start + 2);
    if ('=[],;'.includes(c)) return this.token(c as TokenKind, start, start + 1);
    if (c === '"' || c === "'") return this.quoted(start);
    for (const [kind, re] of [['number', NUMBER[this.dialect]], ['name', NAME[this.dialect]]] as const) {
      re.lastIndex = start;
      if (re.test(s)) return this.token(kind, start, re.lastIndex);
    }
    const shown = c === '\r' ? 'a carriage return (the file has DOS line ends)' : c.charCodeAt(0) < 0x20 ? `control character 0x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `'${c}'`;
    const python = this.dialect === 'xl' && /[-+.():]/.test(c) ? ' (xl configs are not Python)' : '';
    return this.fail(`unexpected ${shown}${python}`);
  }

  private newLine(): void {
    this.line++;
    this.lineStart = this.pos;
  }

  private quoted(start: number): Token {
    const s = this.src;
    const q = s[start];
    if (this.dialect === 'xm' && s.startsWith(q.repeat(3), start)) {
      const end = s.indexOf(q.repeat(3), start + 3);
      if (end < 0) this.fail('unterminated triple-quoted string', start);
      const text = s.slice(start + 3, end);
      const t = this.token('string', start, end + 3, text);
      // a triple-quoted string may span lines
      for (let i = start; i < end; i++) if (s[i] === '\n') {
        this.line++;
        this.lineStart = i + 1;
      }
      return t;
    }
    let out = '';
    let i = start + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined || c === '\n') this.fail('unterminated string (a string ends on the line it starts)', start);
      if (c === q) break;
      if (c === '\\' && this.dialect === 'xl') {
        const e = s[i + 1];
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
          continue;
        }
        // xl's own parser refuses \x escapes and drops the character of an octal one: neither can mean what it says
        if (e === 'x' || (e >= '0' && e <= '7')) this.fail(`numeric escape '\\${e}' in a quoted string: xl does not decode it`, i);
        this.fail(`invalid escape '\\${e ?? ''}' in a quoted string`, i);
      }
      out += c;
      i++;
    }
    return this.token('string', start, i + 1, out);
  }
}

class Parser {
  private tok: Token;
  private readonly lexer: Lexer;

  constructor(src: string, private readonly dialect: ConfigDialect) {
    this.lexer = new Lexer(src, dialect);
    this.tok = this.lexer.next();
  }

  /** The current token (a call, so that TypeScript does not narrow it across advance()). */
  private peek(): Token {
    return this.tok;
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private unexpected(expecting: string): never {
    throw configSyntaxError(this.tok.line, this.tok.column, `unexpected ${describe(this.tok)}, expecting ${expecting}`);
  }

  private skipNewlines(): void {
    while (this.tok.kind === 'newline') this.advance();
  }

  settings(): ConfigSetting[] {
    const out: ConfigSetting[] = [];
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return out;
      if (t.kind === 'newline' || t.kind === ';') {
        this.advance();
        continue;
      }
      if (t.kind !== 'name') this.unexpected('a setting name');
      this.advance();
      const op = this.tok;
      if (op.kind !== '=' && op.kind !== '+=') this.unexpected(this.dialect === 'xl' ? "'=' or '+='" : "'='");
      this.advance();
      const at = this.tok;
      const value = this.value(0);
      const setting: ConfigSetting = { name: t.text, value, line: at.line, column: at.column };
      if (op.kind === '+=') appendSetting(out, setting);
      else out.push(setting);
      const end = this.tok;
      if (end.kind !== 'newline' && end.kind !== ';' && end.kind !== 'eof') this.unexpected("a newline or ';' after the value");
    }
  }

  private value(depth: number): ConfigValue {
    const t = this.tok;
    if (t.kind === 'string') {
      this.advance();
      return { kind: 'string', text: t.value! };
    }
    if (t.kind === 'number') {
      this.advance();
      return { kind: 'number', text: t.text };
    }
    if (t.kind !== '[') this.unexpected('a string, a number or a list');
    if (depth >= MAX_LIST_DEPTH) throw configSyntaxError(t.line, t.column, `lists nested deeper than ${MAX_LIST_DEPTH}`);
    this.advance();
    const items: ConfigValue[] = [];
    this.skipNewlines();
    while (this.peek().kind !== ']') {
      items.push(this.value(depth + 1));
      this.skipNewlines();
      if (this.peek().kind === ',') {
        this.advance();
        this.skipNewlines();
      } else if (this.peek().kind !== ']') this.unexpected("',' or ']'");
    }
    this.advance();
    return { kind: 'list', items };
  }
}

/** `name += value`: a string grows by a string, a list by a list's items; a setting not yet made is made. */
function appendSetting(settings: ConfigSetting[], add: ConfigSetting): void {
  let i = settings.length - 1;
  while (i >= 0 && settings[i].name !== add.name) i--;
  if (i < 0) {
    settings.push(add);
    return;
  }
  const old = settings[i].value;
  const more = add.value;
  let value: ConfigValue;
  if (old.kind === 'list' && more.kind === 'list') value = { kind: 'list', items: [...old.items, ...more.items] };
  else if (old.kind !== 'list' && more.kind !== 'list') value = { kind: 'string', text: old.text + more.text };
  else throw configSyntaxError(add.line, add.column, `cannot add ${more.kind === 'list' ? 'a list' : 'a single value'} to ${old.kind === 'list' ? 'a list' : 'a single value'} ('${add.name}')`);
  settings[i] = { ...settings[i], value };
}

/**
 * Parse a config's text. Settings come in file order; a name set twice appears twice (the
 * reader decides which one counts), except that `+=` folds into the setting it extends.
 */
export function parseConfig(text: string, dialect: ConfigDialect): ConfigSetting[] {
  if (text.length > MAX_CONFIG_BYTES) {
    throw VirError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.CONF, `the configuration is larger than ${MAX_CONFIG_BYTES} bytes`);
  }
  return new Parser(text, dialect).settings();
}
