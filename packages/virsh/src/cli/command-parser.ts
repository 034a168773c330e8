import type { CommandDef, ParsedCommand, ParsedOptions } from './command-def.js';

/** A command line that virsh refuses before running anything; its messages are virsh's, one error line each. */
export class CommandParseError extends Error {
  readonly messages: string[];
  constructor(...messages: string[]) {
    super(messages.join('\n'));
    this.messages = messages;
  }
}

/**
 * Match a command's words to its options: `--name value`, `--name=value`, bare bools,
 * and positional data filling the positional options in order.
 */
export function parseCommand(words: string[], find: (name: string) => CommandDef | undefined, debug?: (message: string) => void): ParsedCommand {
  const [name, ...rest] = words;
  const def = find(name);
  if (!def) throw new CommandParseError(`unknown command: '${name}'`);
  const opts: ParsedOptions = new Map();
  const positional = def.options.filter((o) => o.positional);
  const nextPositional = () => positional.find((o) => !opts.has(o.name) || o.type === 'argv');
  let onlyData = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (!onlyData && w === '--') { onlyData = true; continue; }
    // `CMD ... --help` is `help CMD`, whatever else the command line holds, as in virsh
    if (!onlyData && w === '--help') return parseCommand(['help', name], find);
    if (!onlyData && w.startsWith('--') && w.length > 2) {
      const eq = w.indexOf('=');
      const key = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const opt = def.options.find((o) => o.name === key || o.aliases?.includes(key));
      if (!opt) throw new CommandParseError(`command '${def.name}' doesn't support option --${key}`);
      if (opt.type === 'bool') {
        if (eq >= 0) throw new CommandParseError(`invalid '=' after option --${key}`);
        opts.set(opt.name, true);
        continue;
      }
      let value: string;
      if (eq >= 0) value = w.slice(eq + 1);
      else if (i + 1 < rest.length) value = rest[++i];
      else throw new CommandParseError(`expected syntax: --${key} <${opt.type === 'int' ? 'number' : 'string'}>`);
      if (opt.type === 'argv') opts.set(opt.name, [...((opts.get(opt.name) as string[]) ?? []), value]);
      else opts.set(opt.name, value);
      continue;
    }
    const opt = nextPositional();
    if (!opt) throw new CommandParseError(`unexpected data '${w}'`);
    debug?.(`${def.name}: ${opt.name}(optdata): ${w}`);
    if (opt.type === 'argv') opts.set(opt.name, [...((opts.get(opt.name) as string[]) ?? []), w]);
    else opts.set(opt.name, w);
  }
  // every missing option is named, data as <name> and the others as --name (virsh's words)
  const missing = def.options.filter((o) => o.required && !opts.has(o.name))
    .map((o) => (o.type === 'int' ? `command '${def.name}' requires --${o.name} option` : `command '${def.name}' requires <${o.name}> option`));
  if (missing.length) throw new CommandParseError(...missing);
  return { def, opts };
}
