import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { allCommands, findCommand } from '../commands/command-registry.js';
import { tokenizeScript } from '../cli/command-tokenizer.js';
import type { VirshContext } from '../virsh-context.js';
import { runCommands } from '../virsh-run.js';
import { makeCompleter } from './shell-completer.js';
import { addReverseSearch } from './reverse-search.js';

const BANNER = "Welcome to virsh, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n";
const HISTORY_SIZE = 500;

/** Where virsh keeps its history, as libvirt's does: $XDG_CACHE_HOME/virsh/history. */
export function historyFile(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'virsh', 'history');
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/**
 * virsh's interactive shell: a prompt with line editing, history kept in a file, reverse
 * search (Ctrl+R) and tab completion on a terminal; without one, commands are read from
 * standard input quietly.
 */
export async function runShell(ctx: VirshContext): Promise<boolean> {
  const terminal = process.stdin.isTTY === true;
  ctx.interactive = true;
  const file = historyFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal,
    history: terminal ? loadHistory(file) : [],
    historySize: HISTORY_SIZE,
    completer: terminal ? (line: string, cb: (e: null, r: [string[], string]) => void) => {
      makeCompleter(ctx, allCommands, findCommand)(line).then((r) => cb(null, r), () => cb(null, [[], line]));
    } : undefined,
  });
  if (terminal) {
    addReverseSearch(rl);
    ctx.print(BANNER);
    await ctx.connection();
  }
  const prompt = () => (ctx.options.readOnly ? 'virsh > ' : 'virsh # ');
  let ok = true;
  rl.setPrompt(prompt());
  if (terminal) rl.prompt();
  for await (const line of rl) {
    if (line.trim()) {
      if (terminal) {
        try {
          mkdirSync(dirname(file), { recursive: true });
          appendFileSync(file, `${line}\n`);
        } catch { /* history is a convenience: a read-only home must not stop the shell */ }
      }
      ok = await runCommands(ctx, tokenizeScript(line));
      if (ctx.quitRequested) break;
    }
    rl.setPrompt(prompt());
    if (terminal) rl.prompt();
  }
  rl.close();
  return ok;
}
