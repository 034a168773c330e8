// The text `virsh domxml-to-native qemu-argv` prints: the binary and its
// arguments, an option and its value per line, quoted for a POSIX shell so that
// the text can be pasted (the driver itself never runs a shell).

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
