// Writing a config's settings back as text, one `name = value` a line.
//  - 'xl': strings in double quotes with xl's escapes, so that xl reads back exactly the
//    value written (a backslash, a quote, a newline included).
//  - 'xm': as libvirt writes xm configs: "..." unless the text has a double quote ('...'),
//    or both quotes or a newline ("""...""", which has no escapes).

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { ConfigDialect, ConfigSetting, ConfigValue } from './config-syntax.js';

const XL_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
// characters xl's strings cannot hold: no escape of xl's yields them
const XL_UNWRITABLE = /[\0-\x06\x0e-\x1f\x7f]/;

function xlString(text: string): string {
  if (XL_UNWRITABLE.test(text)) {
    throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XENXL, `xl.cfg cannot hold the control characters of '${JSON.stringify(text).slice(1, -1)}'`);
  }
  return `"${text.replace(/[\\"\n\r\x07\b\f\v]/g, (c) => XL_ESCAPES[c])}"`;
}

function xmString(text: string): string {
  if (text.includes('"""')) {
    throw VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.XENXM, `an xm config cannot hold '"""' in a string`);
  }
  if (text.includes('\n')) return `"""${text}"""`;
  if (!text.includes('"')) return `"${text}"`;
  if (!text.includes("'")) return `'${text}'`;
  return `"""${text}"""`;
}

export function formatConfigValue(value: ConfigValue, dialect: ConfigDialect): string {
  if (value.kind === 'number') return value.text;
  if (value.kind === 'string') return dialect === 'xl' ? xlString(value.text) : xmString(value.text);
  return `[ ${value.items.map((v) => formatConfigValue(v, dialect)).join(', ')} ]`;
}

export function formatConfig(settings: readonly ConfigSetting[], dialect: ConfigDialect): string {
  let out = '';
  for (const s of settings) out += `${s.name} = ${formatConfigValue(s.value, dialect)}\n`;
  return out;
}
