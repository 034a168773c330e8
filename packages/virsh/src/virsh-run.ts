import type { ParsedCommand } from './cli/command-def.js';
import { CommandParseError, parseCommand } from './cli/command-parser.js';
import { tokenizeScript } from './cli/command-tokenizer.js';
import { findCommand } from './commands/command-registry.js';
import type { VirshContext } from './virsh-context.js';

/**
 * Parse a whole script first (a bad command runs nothing), then run its commands in
 * order. Each command is followed by an empty line, as in virsh; the result is the
 * last command's.
 */
export async function runCommands(ctx: VirshContext, commands: string[][]): Promise<boolean> {
  let parsed: ParsedCommand[];
  try {
    parsed = commands.map((words) => parseCommand(words, findCommand));
  } catch (e) {
    if (!(e instanceof CommandParseError)) throw e;
    ctx.error(e.message);
    return false;
  }
  let ok = true;
  for (const cmd of parsed) {
    if (!cmd.def.noConnect && !(await ctx.connection())) { ok = false; continue; }
    ok = await cmd.def.run(ctx, cmd.opts);
    if (cmd.def.name === 'quit' || cmd.def.name === 'exit') {
      ctx.quitRequested = true;
      break;
    }
    ctx.printExtra('\n');
  }
  return ok;
}

/** The commands of virsh's arguments: one string is a script; several words are one command. */
export function commandsOfArgs(rest: string[]): string[][] {
  if (rest.length === 0) return [];
  return rest.length === 1 ? tokenizeScript(rest[0]) : [rest];
}
