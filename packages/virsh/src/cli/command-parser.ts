import type { CommandDef, OptionValues, ParsedCommand } from './command-def.js';

/** A command line that virsh refuses before running anything; its message is virsh's. */
export class CommandParseError extends Error {}

/**
 * Match a command's words to its options: `--name value`, `--name=value`, bare bools,
 * and positional data filling the positional options in order.
 */
export function parseCommand(words: string[], find: (name: string) => CommandDef | undefined, debug?: (message: string) => void): ParsedCommand {
  const [name, ...rest] = words;
  const def = find(name);
  if (!def) throw new CommandParseError(`unknown command: '${name}'`);
  const opts: OptionValues = new Map();
  const positional = def.options.filter((o) => o.positional);
  const nextPositional = () => positional.find((o) => !opts.has(o.name) || o.type === 'argv');
  let onlyData = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (!onlyData && w === '--') { onlyData = true; continue; }
    // `CMD ... --help` is `help CMD`, whatever else the command line holds, as in virsh
    if (!onlyData && w === '--help' && name !== 'help') return parseCommand(['help', name], find);
    if (!onlyData && w.startsWith('--') && w.length > 2) {
      const eq = w.indexOf('=');
      const key = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const opt = def.options.find((o) => o.name === key);
      if (!opt) throw new CommandParseError(`command '${def.name}' doesn't support option --${key}`);
      if (opt.type === 'bool') {
        if (eq >= 0) throw new CommandParseError(`invalid '=' after option --${key}`);
        opts.set(key, true);
        continue;
      }
      let value: string;
      if (eq >= 0) value = w.slice(eq + 1);
      else if (i + 1 < rest.length) value = rest[++i];
      else throw new CommandParseError(`expected syntax: --${key} <${opt.type === 'int' ? 'number' : 'string'}>`);
      if (opt.type === 'argv') opts.set(key, [...((opts.get(key) as string[]) ?? []), value]);
      else opts.set(key, value);
      continue;
    }
    const opt = nextPositional();
    if (!opt) throw new CommandParseError(`unexpected data '${w}'`);
    debug?.(`${def.name}: ${opt.name}(optdata): ${w}`);
    if (opt.type === 'argv') opts.set(opt.name, [...((opts.get(opt.name) as string[]) ?? []), w]);
    else opts.set(opt.name, w);
  }
  for (const o of def.options) {
    if (o.required && !opts.has(o.name)) {
      throw new CommandParseError(`command '${def.name}' requires <${o.name}> option`);
    }
  }
  return { def, opts };
}
