import { homedir } from 'node:os';
import type { CommandDef } from '../cli/command-def.js';

/** cd, pwd and echo: virsh's own small commands for scripts and the interactive shell. */

/** The characters that make echo --shell quote a word (libvirt's shell escaping). */
const SHELL_SPECIAL = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

/** echo --split: pieces at each ',', read from the left, with ',,' an escaped ','. */
function splitArgument(w: string): string[] {
  if (w === '') return [];
  const pieces = [''];
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== ',') pieces[pieces.length - 1] += w[i];
    else if (w[i + 1] === ',') pieces[pieces.length - 1] += w[i++];
    else pieces.push('');
  }
  return pieces;
}

export const shellCommands: CommandDef[] = [
  {
    name: 'cd', group: 'virsh', help: 'change the current directory', description: 'Change the current directory.',
    options: [{ name: 'dir', type: 'string', help: 'directory to switch to (default: home or else root)', positional: true, emptyOk: true }],
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
      { name: 'split', type: 'bool', help: 'split each argument on \',\'; \',,\' is an escape sequence' },
      { name: 'err', type: 'bool', help: 'output to stderr' },
      { name: 'string', type: 'argv', help: 'arguments to echo', positional: true },
    ],
    noConnect: true,
    async run(ctx, opts) {
      if (opts.has('xml') && opts.has('split')) {
        ctx.error('Options --xml and --split are mutually exclusive');
        return false;
      }
      const words = (opts.get('string') as string[] | undefined) ?? [];
      const [xml, shell, split] = [opts.has('xml'), opts.has('shell'), opts.has('split')];
      const escape = (w: string) => {
        if (xml) return w.replace(/[&<>'"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' })[c]!);
        if (shell) return w !== '' && !SHELL_SPECIAL.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
        return w;
      };
      // --split: each piece on a line of its own; arguments still separated by a space
      const text = words.map((w) => (split ? splitArgument(w).map((p) => `${escape(p)}\n`).join('') : escape(w))).join(' ');
      // no newline of its own: virsh's line after every command ends it
      if (opts.has('err')) ctx.error(text);
      else ctx.print(text);
      return true;
    },
  },
];
