import type { ParsedCommand } from './cli/command-def.js';
import { CommandParseError, parseCommand } from './cli/command-parser.js';
import { tokenizeScript } from './cli/command-tokenizer.js';
import { findCommand } from './commands/command-registry.js';
import type { VirshContext } from './virsh-context.js';
import { Level } from './virsh-log.js';

/**
 * Parse a whole script first (a bad command runs nothing), then run its commands in
 * order. Each command is followed by an empty line, or with -t by its time, as in
 * virsh; the result is the last command's.
 */
export async function runCommands(ctx: VirshContext, commands: string[][]): Promise<boolean> {
  let parsed: ParsedCommand[];
  try {
    parsed = commands.map((words) => parseCommand(words, findCommand, (m) => ctx.debug(Level.INFO, m)));
  } catch (e) {
    if (!(e instanceof CommandParseError)) throw e;
    for (const m of e.messages) ctx.error(m);
    return false;
  }
  let ok = true;
  for (const cmd of parsed) {
    if (!cmd.def.noConnect && !(await ctx.connection())) { ok = false; continue; }
    ctx.command = cmd.def.name;
    const start = process.hrtime.bigint();
    const empty = emptyOption(cmd);
    if (empty) ctx.error(`Failed to get option '${empty}': Option argument is empty`);
    ok = empty === undefined && await cmd.def.run(ctx, cmd.opts);
    if (cmd.def.name === 'quit' || cmd.def.name === 'exit') {
      ctx.quitRequested = true;
      break;
    }
    if (ctx.options.timing) ctx.print(`\n(Time: ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(3)} ms)\n\n`);
    else ctx.printExtra('\n');
  }
  return ok;
}

/** The first string option given as '' that the command does not take empty, as virsh refuses it. */
function emptyOption(cmd: ParsedCommand): string | undefined {
  for (const o of cmd.def.options) {
    if ((o.type === 'string' || o.type === 'data') && !o.emptyOk && cmd.opts.get(o.name) === '') return o.name;
  }
  return undefined;
}

/** The commands of virsh's arguments: one string is a script; several words are one command. */
export function commandsOfArgs(ctx: VirshContext, rest: string[]): string[][] {
  if (rest.length === 0) return [];
  if (rest.length > 1) return [rest];
  ctx.debug(Level.INFO, `commands: "${rest[0]}"`);
  return tokenizeScript(rest[0]);
}
