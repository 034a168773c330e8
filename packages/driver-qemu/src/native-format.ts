// The text `virsh domxml-to-native qemu-argv` prints: the binary and its
// arguments, an option and its value per line, quoted for a POSIX shell so that
// the text can be pasted (the driver itself never runs a shell).

import { ErrorNumber } from '@tsvirt/core';
import { parseDomainXml } from '@tsvirt/core/xml';
import { fillDomainDefaults } from './domain-defaults.js';
import type { QemuCapabilities } from './qemu-capabilities.js';
import { validateDomainName } from './domain-name.js';
import { checkFlags, qemuError } from './qemu-errors.js';
import { domainToQemuArgs, emulatorOf, type NativeOptions } from './xml-to-native.js';

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

export const shellQuote = (word: string): string => (SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

export function formatQemuArgv(binary: string, args: readonly string[]): string {
  const lines = [shellQuote(binary)];
  for (let i = 0; i < args.length; i++) {
    const takesValue = i + 1 < args.length && !args[i + 1].startsWith('-');
    lines.push(takesValue ? `${shellQuote(args[i])} ${shellQuote(args[++i])}` : shellQuote(args[i]));
  }
  return `${lines.join(' \\\n')}\n`;
}

const QEMU_ARGV = 'qemu-argv';

/** virConnectDomainXMLToNative: the command line a definition would start QEMU with (defaults and addresses filled in as at define). */
export async function domainXmlToNative(
  caps: () => Promise<QemuCapabilities>, options: (uuid: string) => NativeOptions, nativeFormat: string, domainXml: string, flags: number,
): Promise<string> {
  checkFlags(flags, 0, 'qemuConnectDomainXMLToNative');
  if (nativeFormat !== QEMU_ARGV) throw qemuError(ErrorNumber.INVALID_ARG, `unsupported config type ${nativeFormat}`);
  const def = parseDomainXml(domainXml);
  validateDomainName(def.name);
  const qemu = await caps();
  fillDomainDefaults(def, qemu, { emulator: qemu.binary, fresh: true });
  return formatQemuArgv(emulatorOf(def) ?? qemu.binary, domainToQemuArgs(def, options(def.uuid)));
}
