import type { CommandDef, OptionDef } from '../cli/command-def.js';
import { findHelpGroup, groupedHelp } from './help-text.js';

/** The synopsis and option lines of `help COMMAND`, in virsh's layout. */
function optionSyntax(o: OptionDef): string {
  const value = o.type === 'bool' ? '' : o.type === 'int' ? ' <number>' : ' <string>';
  const flag = o.positional && o.type !== 'bool' ? `[--${o.name}]` : `--${o.name}`;
  return `${flag}${value}`;
}

export function commandHelp(def: CommandDef): string {
  const syn = def.options.map((o) => (o.required ? `<${o.name}>` : o.type === 'bool' ? `[--${o.name}]` : `[--${o.name} <${o.type === 'int' ? 'number' : 'string'}>]`));
  let s = `  NAME\n    ${def.name} - ${def.help}\n\n  SYNOPSIS\n    ${[def.name, ...syn].join(' ')}\n\n`;
  if (def.description) s += `  DESCRIPTION\n    ${def.description}\n\n`;
  if (def.options.length) {
    s += '  OPTIONS\n';
    for (const o of def.options) s += `    ${optionSyntax(o).padEnd(15)}  ${o.help}\n`;
    s += '\n';
  }
  return s;
}

/** help, quit, exit, connect: the commands of virsh itself. */
export function virshCommands(find: (name: string) => CommandDef | undefined): CommandDef[] {
  return [
    {
      name: 'help', group: 'virsh', help: 'print help', description: 'Prints global help, command specific help, or help for a\n    group of related commands',
      options: [{ name: 'command', type: 'string', help: 'Prints global help, command specific help, or help for a group of related commands', positional: true, emptyOk: true }],
      noConnect: true,
      async run(ctx, opts) {
        const name = opts.get('command') as string | undefined;
        const exists = (n: string) => find(n) !== undefined;
        // an empty name asks for the whole list, as no name does
        if (!name) {
          ctx.print(groupedHelp(exists));
          return true;
        }
        const def = find(name);
        const group = def ? undefined : findHelpGroup(exists, name);
        if (group) {
          ctx.print(groupedHelp(exists, group));
          return true;
        }
        if (!def) {
          ctx.error(`command or command group '${name}' doesn't exist`);
          return false;
        }
        ctx.print(commandHelp(def));
        return true;
      },
    },
    {
      name: 'connect', group: 'virsh', help: '(re)connect to hypervisor', description: 'Connect to local hypervisor. This is built-in\n    command after shell start up.',
      options: [
        { name: 'name', type: 'string', help: 'hypervisor connection URI', positional: true, emptyOk: true },
        { name: 'readonly', type: 'bool', help: 'read-only connection' },
      ],
      noConnect: true,
      async run(ctx, opts) {
        const uri = (opts.get('name') as string | undefined) ?? ctx.options.uri;
        return ctx.reconnect({ ...ctx.options, uri, readOnly: opts.has('readonly') || ctx.options.readOnly });
      },
    },
    { name: 'quit', group: 'virsh', help: 'quit this interactive terminal', description: '', options: [], noConnect: true, run: async () => true },
    { name: 'exit', group: 'virsh', help: 'quit this interactive terminal', description: '', options: [], noConnect: true, run: async () => true },
  ];
}
