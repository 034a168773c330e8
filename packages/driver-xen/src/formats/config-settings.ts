// Typed access to a parsed config, with the meanings libvirt gives its values (a boolean
// is a number other than 0 or the string "1"; a number may be written as a string), and
// the builder that writes one: setting a name again replaces its value where it stands,
// so that the order of a written config is the order in which names were first set.

import { ErrorNumber, VirError } from '@tsvirt/core';
import type { ConfigDialect, ConfigSetting, ConfigValue } from './config-syntax.js';

/** A number token's value as xl reads it (C's strtol with base 0: 0x hex, 0 octal); NaN when it is not one. */
export function numberValue(text: string, dialect: ConfigDialect): number {
  const t = text.trim();
  if (dialect === 'xl') {
    if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[0-7]+$/.test(t)) return parseInt(t, 8);
  }
  return /^[-+]?[0-9]+$/.test(t) ? Number(t) : NaN;
}

/** The most entries a list of devices may have: far above any real guest, and bounding the work a config can cause. */
export const MAX_LIST_ENTRIES = 256;

export class ConfigReader {
  private readonly byName = new Map<string, ConfigSetting>();

  /** `errorDomain`: the libvirt error domain of the format being read (VIR_FROM_XENXL, VIR_FROM_XENXM). */
  constructor(settings: readonly ConfigSetting[], readonly dialect: ConfigDialect, readonly errorDomain: number) {
    // xl keeps the last of a name set twice; libvirt's reader of xm configs the first
    for (const s of settings) if (dialect === 'xl' || !this.byName.has(s.name)) this.byName.set(s.name, s);
  }

  error(code: number, info: string): VirError {
    return VirError.of(code, this.errorDomain, info);
  }

  private malformed(name: string, why: string): VirError {
    const at = this.byName.get(name);
    return this.error(ErrorNumber.CONF_SYNTAX, `config value ${name} was malformed${at ? ` (line ${at.line})` : ''}: ${why}`);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  value(name: string): ConfigValue | undefined {
    return this.byName.get(name)?.value;
  }

  /** A single value as text; a list is an error. */
  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    const v = this.value(name);
    if (v === undefined) return fallback;
    if (v.kind === 'list') throw this.malformed(name, 'a list where a single value belongs');
    return v.text;
  }

  /** A non-negative whole number (a number, or a string of decimal digits). */
  number(name: string): number | undefined;
  number(name: string, fallback: number): number;
  number(name: string, fallback?: number): number | undefined {
    const v = this.value(name);
    if (v === undefined) return fallback;
    if (v.kind === 'list') throw this.malformed(name, 'a list where a number belongs');
    const n = v.kind === 'number' ? numberValue(v.text, this.dialect) : /^[0-9]+$/.test(v.text) ? Number(v.text) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw this.malformed(name, `'${v.text}' is not a valid number`);
    return n;
  }

  bool(name: string, fallback: boolean): boolean;
  bool(name: string, fallback: boolean | undefined): boolean | undefined;
  bool(name: string, fallback: boolean | undefined): boolean | undefined {
    const v = this.value(name);
    if (v === undefined) return fallback;
    if (v.kind === 'list') throw this.malformed(name, 'a list where a boolean belongs');
    return v.kind === 'number' ? numberValue(v.text, this.dialect) !== 0 : v.text === '1';
  }

  /** The strings of a list (other items are skipped, as libvirt skips them); undefined when the name is unset or not a list. */
  strings(name: string): string[] | undefined {
    const v = this.value(name);
    if (v?.kind !== 'list') return undefined;
    if (v.items.length > MAX_LIST_ENTRIES) throw this.malformed(name, `more than ${MAX_LIST_ENTRIES} entries`);
    return v.items.flatMap((i) => (i.kind === 'string' ? [i.text] : []));
  }

  /** A list, or a single string as a list of one. */
  stringOrList(name: string): string[] | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    return v.kind === 'list' ? this.strings(name) : [v.text];
  }
}

export class ConfigBuilder {
  private readonly settings: ConfigSetting[] = [];

  set(name: string, value: ConfigValue): void {
    const i = this.settings.findIndex((s) => s.name === name);
    const s = { name, value, line: 0, column: 0 };
    if (i < 0) this.settings.push(s);
    else this.settings[i] = s;
  }

  setString(name: string, text: string): void {
    this.set(name, { kind: 'string', text });
  }

  setNumber(name: string, n: number | boolean): void {
    this.set(name, { kind: 'number', text: String(Number(n)) });
  }

  /** A list of strings (of lists of strings); nothing is set for an empty one. */
  setList(name: string, items: (string | string[])[]): void {
    if (!items.length) return;
    const str = (text: string): ConfigValue => ({ kind: 'string', text });
    this.set(name, { kind: 'list', items: items.map((i) => (typeof i === 'string' ? str(i) : { kind: 'list', items: i.map(str) })) });
  }

  result(): ConfigSetting[] {
    return this.settings;
  }
}
