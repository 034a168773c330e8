// The config syntax on hand-built inputs: xl's values, escapes, comments, lists and +=,
// xm's quoting, and faults reported with their line and column. Every truncation and
// every single-character corruption of a config gives a config or a VIR_ERR_CONF_SYNTAX
// error, nothing else. Where Debian's real xl is at hand, it reads back what tsvirt writes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import t from 'tap';
import { formatConfig } from '../../src/formats/config-format.js';
import { ConfigReader } from '../../src/formats/config-settings.js';
import { MAX_LIST_DEPTH, parseConfig, type ConfigDialect, type ConfigSetting } from '../../src/formats/config-syntax.js';
import { REAL_XL, realXlMissing } from './reference-cases.js';

const reader = (text: string, dialect: ConfigDialect = 'xl') => new ConfigReader(parseConfig(text, dialect), dialect, ErrorDomain.XENXL);
const syntaxError = (text: string, dialect: ConfigDialect = 'xl'): VirError => {
  try {
    parseConfig(text, dialect);
  } catch (e) {
    return e as VirError;
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`);
};

t.test('xl values: strings, escapes, numbers, nested lists, comments, separators', async (t) => {
  const r = reader([
    '# a comment line',
    'name = "web"  # after a value',
    "kernel='/boot/it\\'s'",
    'cmdline = "a\\tb\\\\c\\"d\\ne"',
    'memory = 0x100; vcpus = 010 ;maxvcpus=12',
    'disk = [ "a",',
    '  # inside a list',
    '  "b", ]',
    'vnuma = [ [ "pnode=0" ], [] ]',
    'empty = []',
    '',
  ].join('\n'));
  t.equal(r.string('name'), 'web');
  t.equal(r.string('kernel'), "/boot/it's");
  t.equal(r.string('cmdline'), 'a\tb\\c"d\ne');
  t.equal(r.number('memory'), 256, 'hex as C reads it');
  t.equal(r.number('vcpus'), 8, "a leading 0 is octal, as xl's strtol reads it");
  t.equal(r.number('maxvcpus'), 12);
  t.same(r.strings('disk'), ['a', 'b'], 'a trailing comma and a comment inside a list');
  t.same(r.value('vnuma'), { kind: 'list', items: [{ kind: 'list', items: [{ kind: 'string', text: 'pnode=0' }] }, { kind: 'list', items: [] }] });
  t.same(r.strings('empty'), []);
  t.equal(r.string('missing', 'dflt'), 'dflt');
});

t.test('+= appends to a string or a list; a name set twice: the last counts in xl, the first in xm', async (t) => {
  const r = reader('cmdline = "a"\ncmdline += " b"\nextra = ["x"]\nextra += ["y", "z"]\nfresh += "new"\n');
  t.equal(r.string('cmdline'), 'a b');
  t.same(r.strings('extra'), ['x', 'y', 'z']);
  t.equal(r.string('fresh'), 'new', '+= on a name not yet set sets it');
  t.match(syntaxError('a = "s"\na += ["l"]\n'), { code: ErrorNumber.CONF_SYNTAX, message: /line 2, column 6: cannot add a list to a single value \('a'\)/ });
  t.equal(reader('memory = 1\nmemory = 2\n').number('memory'), 2);
  t.equal(reader('memory = 1\nmemory = 2\n', 'xm').number('memory'), 1);
});

t.test('typed reads: booleans, numbers written as strings, malformed values with their line', async (t) => {
  const r = reader('acpi = 1\napic = 0\npae = "1"\nhap = "yes"\nmemory = "512"\nmaxmem = "1g"\nvcpus = [1]\n');
  t.equal(r.bool('acpi', false), true);
  t.equal(r.bool('apic', true), false);
  t.equal(r.bool('pae', false), true);
  t.equal(r.bool('hap', true), false, 'a string other than "1" is false, as libvirt reads it');
  t.equal(r.number('memory'), 512);
  t.throws(() => r.number('maxmem'), { code: ErrorNumber.CONF_SYNTAX, message: /config value maxmem was malformed \(line 6\): '1g' is not a valid number/ });
  t.throws(() => r.string('vcpus'), { message: /line 7\): a list where a single value belongs/ });
});

const FAULTS: [string, RegExp][] = [
  ['name = "a\n', /line 1, column 8: unterminated string/],
  ['name = "a\\q"\n', /line 1, column 10: invalid escape '\\q'/],
  ['name = "\\x41"\n', /line 1, column 9: numeric escape '\\x' in a quoted string: xl does not decode it/],
  ['name = "a\\101"\n', /numeric escape '\\1'/],
  ['NAME = "a"\n', /line 1, column 1: unexpected 'N'/],
  ['name = "a"\nthis is not valid syntax\n', /line 2, column 6: unexpected name 'is', expecting '=' or '\+='/],
  ['name =\n', /line 1, column 7: unexpected end of line, expecting a string, a number or a list/],
  ['memory = 16 # no newline at the end', /line 1, column 13: a comment must end with a newline/],
  ['name = "a"\r\nmemory = 1\r\n', /line 1, column 11: unexpected a carriage return \(the file has DOS line ends\)/],
  ['disk = [1 2]\n', /line 1, column 11: unexpected number 2, expecting ',' or '\]'/],
  ['disk = [,]\n', /line 1, column 9: unexpected ',', expecting a string, a number or a list/],
  ['memory = 1.5\n', /line 1, column 11: unexpected '\.' \(xl configs are not Python\)/],
  ['memory = -5\n', /line 1, column 10: unexpected '-' \(xl configs are not Python\)/],
  ['name = "a" "b"\n', /line 1, column 12: unexpected string "b", expecting a newline or ';' after the value/],
  ['name = "a"\n\n  = 3\n', /line 3, column 3: unexpected '=', expecting a setting name/],
  ['name = "a"\n\x01\n', /line 2, column 1: unexpected control character 0x01/],
];

t.test('faults: VIR_ERR_CONF_SYNTAX from VIR_FROM_CONF, with the line and column', async (t) => {
  for (const [text, message] of FAULTS) {
    const e = syntaxError(text);
    t.ok(e instanceof VirError, JSON.stringify(text));
    t.match(e, { code: ErrorNumber.CONF_SYNTAX, domain: ErrorDomain.CONF, message }, JSON.stringify(text));
  }
  t.match(syntaxError(`x = ${'['.repeat(MAX_LIST_DEPTH + 1)}${']'.repeat(MAX_LIST_DEPTH + 1)}\n`), { message: /lists nested deeper than 8/ });
  t.match(syntaxError(`x = "${'a'.repeat(1024 * 1024)}"\n`), { message: /larger than 1048576 bytes/ });
});

t.test('xm dialect: capitals and _ in names, """triple""" strings over lines, signed numbers, no escapes', async (t) => {
  const r = reader('Name = "x"\n_private = -3\npath = """a"b\'c\nd"""\nraw = "a\\n"\n', 'xm');
  t.equal(r.string('Name'), 'x');
  t.equal(r.value('_private')?.kind, 'number');
  t.equal(r.string('path'), 'a"b\'c\nd');
  t.equal(r.string('raw'), 'a\\n', 'a backslash is a backslash');
  t.match(syntaxError('a = """open\n', 'xm'), { message: /line 1, column 5: unterminated triple-quoted string/ });
  t.match(syntaxError('a += "x"\n', 'xm'), { message: /unexpected '\+'/ });
});

const settings = (values: Record<string, string | number | string[]>): ConfigSetting[] => Object.entries(values).map(([name, v]) => ({
  name,
  line: 0,
  column: 0,
  value: typeof v === 'number' ? { kind: 'number', text: String(v) } : typeof v === 'string' ? { kind: 'string', text: v } : { kind: 'list', items: v.map((text) => ({ kind: 'string', text })) },
}));

const TRICKY = 'it\'s a "quote", a \\ backslash,\ta tab and\na newline';

t.test('writing: xl escapes what it must, xm picks its quotes as libvirt does; both read back the same', async (t) => {
  const s = settings({ name: 'n', memory: 512, cmdline: TRICKY, disk: ['a', 'b'], none: [] });
  const xl = formatConfig(s, 'xl');
  t.equal(xl, 'name = "n"\nmemory = 512\ncmdline = "it\'s a \\"quote\\", a \\\\ backslash,\ta tab and\\na newline"\ndisk = [ "a", "b" ]\nnone = [  ]\n');
  t.same(parseConfig(xl, 'xl').map((x) => x.value), s.map((x) => x.value), 'xl reads back what was written');
  t.equal(formatConfig(settings({ a: 'plain', b: 'say "hi"', c: 'both \' and "', d: 'two\nlines' }), 'xm'),
    'a = "plain"\nb = \'say "hi"\'\nc = """both \' and \""""\nd = """two\nlines"""\n');
  t.throws(() => formatConfig(settings({ a: 'bell\x00' }), 'xl'), { code: ErrorNumber.CONFIG_UNSUPPORTED });
  t.throws(() => formatConfig(settings({ a: 'x"""y' }), 'xm'), { code: ErrorNumber.CONFIG_UNSUPPORTED });
});

const SAMPLE = 'name = "web"\nmemory = 0x200 # MiB\ndisk = [ "format=raw,vdev=xvda,target=/a b",\n  "x" ]\ncmdline = "q\\"\\\\"\nvnuma = [ [ "pnode=0" ] ]\nextra += "s"\n';

t.test('every truncation and every single-character corruption: a config or a CONF_SYNTAX error', async (t) => {
  let parsed = 0;
  let refused = 0;
  const check = (text: string) => {
    try {
      parseConfig(text, 'xl');
      parsed++;
    } catch (e) {
      if (!(e instanceof VirError) || e.code !== ErrorNumber.CONF_SYNTAX) throw new Error(`${JSON.stringify(text)}: ${e}`);
      refused++;
    }
  };
  for (let i = 0; i <= SAMPLE.length; i++) check(SAMPLE.slice(0, i));
  for (let i = 0; i < SAMPLE.length; i++) for (const c of ['"', "'", '\\', '[', ']', ',', '=', '#', '\n', ';', '\r', '\0', 'é']) check(SAMPLE.slice(0, i) + c + SAMPLE.slice(i + 1));
  t.ok(parsed > 0 && refused > 0, `${parsed} parsed, ${refused} refused with CONF_SYNTAX, nothing else thrown`);
});

t.test("Debian's real xl reads back the strings tsvirt writes", { skip: realXlMissing() }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xl-strings-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = formatConfig(settings({ name: 'strings', type: 'pv', kernel: '/boot/vmlinuz', memory: 64, cmdline: TRICKY }), 'xl');
  writeFileSync(path.join(dir, 'domain.cfg'), cfg);
  const r = spawnSync(REAL_XL, ['-N', 'create', path.join(dir, 'domain.cfg')], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).b_info.cmdline, TRICKY, 'quotes, backslashes, a tab and a newline survive the trip through xl');
});
