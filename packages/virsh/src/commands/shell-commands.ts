import { homedir } from 'node:os';
import type { CommandDef } from '../cli/command-def.js';

/** cd, pwd and echo: virsh's own small commands for scripts and the interactive shell. */
export const shellCommands: CommandDef[] = [
  {
    name: 'cd', group: 'virsh', help: 'change the current directory', description: 'Change the current directory.',
    options: [{ name: 'dir', type: 'string', help: 'directory to switch to (default: home or else root)', positional: true }],
    noConnect: true,
    async run(ctx, opts) {
      if (!ctx.interactive) {
        ctx.error('cd: command valid only in interactive mode');
        return false;
      }
      const dir = (opts.get('dir') as string | undefined) ?? (homedir() || '/');
      try {
        process.chdir(dir);
        return true;
      } catch {
        ctx.error(`cannot chdir to ${dir}`);
        return false;
      }
    },
  },
  {
    name: 'pwd', group: 'virsh', help: 'print the current directory', description: 'Print the current directory.', options: [], noConnect: true,
    async run(ctx) {
      ctx.print(`${process.cwd()}\n`);
      return true;
    },
  },
  {
    name: 'echo', group: 'virsh', help: 'echo arguments. Used for internal testing.', description: 'Echo back arguments, possibly with quoting. Used for internal testing.',
    options: [
      { name: 'shell', type: 'bool', help: 'escape for shell use' },
      { name: 'xml', type: 'bool', help: 'escape for XML use' },
      { name: 'split', type: 'bool', help: 'split each argument on \',\'; \',,\' is an escaped \',\'' },
      { name: 'err', type: 'bool', help: 'output to stderr' },
      { name: 'string', type: 'argv', help: 'arguments to echo', positional: true },
    ],
    noConnect: true,
    async run(ctx, opts) {
      let words = (opts.get('string') as string[] | undefined) ?? [];
      if (opts.has('split')) words = words.flatMap((w) => w.split(/(?<!,),(?!,)/).map((x) => x.replace(/,,/g, ',')));
      if (opts.has('xml')) words = words.map((w) => w.replace(/[&<>'"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' })[c]!));
      if (opts.has('shell')) words = words.map((w) => (/^[A-Za-z0-9_.\/:@%+=-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`));
      const line = `${words.join(' ')}\n`;
      if (opts.has('err')) process.stderr.write(line);
      else ctx.print(line);
      return true;
    },
  },
];
