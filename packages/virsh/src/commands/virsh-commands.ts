import type { CommandDef } from '../cli/command-def.js';
import { findHelpGroup, groupedHelp } from './help-text.js';

/**
 * `help COMMAND` in virsh's layout. Its synopsis and option lines follow libvirt's kinds of
 * option: a required positional string is data (`[--name] <string>`), an optional one a
 * string (`--name <string>`); a required number may be given bare; an argv is `<name>...`
 * unless an option before it takes a value (then `[--name] <string>`).
 */
export function commandHelp(def: CommandDef): string {
  const syn: string[] = [];
  const lines: string[] = [];
  let valueBefore = false;
  for (const o of def.options) {
    const kind = o.type === 'int' ? '<number>' : '<string>';
    if (o.type === 'bool') {
      syn.push(`[--${o.name}]`);
      lines.push(`--${o.name}`);
    } else if (o.type === 'argv') {
      const one = valueBefore ? `[--${o.name}] <string>` : `<${o.name}>`;
      syn.push(o.required ? (valueBefore ? `{${one}}...` : `${one}...`) : `[${one}]...`);
      lines.push(one);
    } else {
      syn.push(o.required ? `<${o.name}>` : `[--${o.name} ${kind}]`);
      lines.push(o.required && (o.positional || o.type === 'int') ? `[--${o.name}] ${kind}` : `--${o.name} ${kind}`);
      if (o.positional) valueBefore = true;
    }
  }
  let s = `  NAME\n    ${def.name} - ${def.help}\n\n  SYNOPSIS\n    ${[def.name, ...syn].join(' ')}\n\n`;
  if (def.description) s += `  DESCRIPTION\n    ${def.description}\n\n`;
  if (def.options.length) s += `  OPTIONS\n${def.options.map((o, i) => `    ${lines[i].padEnd(15)}  ${o.help}\n`).join('')}\n`;
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
      name: 'connect', group: 'virsh', help: '(re)connect to hypervisor', description: 'Connect to local hypervisor. This is built-in command after shell start up.',
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
