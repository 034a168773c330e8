import type { CommandDef } from '../cli/command-def.js';
import { tokenizeScript } from '../cli/command-tokenizer.js';
import type { VirshContext } from '../virsh-context.js';

/** Options whose values are domain names, and so complete to the connection's domains. */
const DOMAIN_OPTIONS = new Set(['domain']);

/**
 * Tab completion for the interactive shell: command names first, then the command's
 * --options, and domain names where a domain is expected (from the open connection).
 */
export function makeCompleter(ctx: VirshContext, commands: CommandDef[], find: (n: string) => CommandDef | undefined) {
  return async (line: string): Promise<[string[], string]> => {
    const current = line.slice(line.lastIndexOf(';') + 1);
    const words = tokenizeScript(current)[0] ?? [];
    const typingNew = current.length === 0 || /\s$/.test(current);
    const partial = typingNew ? '' : (words[words.length - 1] ?? '');
    if (words.length === 0 || (words.length === 1 && !typingNew)) {
      return [commands.map((c) => c.name).filter((n) => n.startsWith(partial)).sort(), partial];
    }
    const def = find(words[0]);
    if (!def) return [[], partial];
    const given = new Set(words.slice(1).filter((w) => w.startsWith('--')).map((w) => w.slice(2)));
    if (partial.startsWith('-')) {
      return [def.options.filter((o) => !given.has(o.name)).map((o) => `--${o.name}`).filter((o) => o.startsWith(partial)), partial];
    }
    const previous = words[words.length - (typingNew ? 1 : 2)];
    const expectsDomain = (previous?.startsWith('--') && DOMAIN_OPTIONS.has(previous.slice(2)))
      || (def.options.some((o) => DOMAIN_OPTIONS.has(o.name) && o.positional) && !given.has('domain') && words.length - (typingNew ? 0 : 1) === 1);
    if (expectsDomain && ctx.connected) {
      const names = (await ctx.connected.listAllDomains().catch(() => [])).map((d) => d.name);
      return [names.filter((n) => n.startsWith(partial)).sort(), partial];
    }
    return [def.options.filter((o) => !given.has(o.name)).map((o) => `--${o.name}`), partial];
  };
}
