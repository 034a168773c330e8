import type { CommandDef } from '../cli/command-def.js';
import { domainInfoCommands } from './domain-info-commands.js';
import { lifecycleCommands } from './domain-lifecycle-commands.js';
import { hostCommands } from './host-commands.js';
import { virshCommands } from './virsh-commands.js';
import { shellCommands } from './shell-commands.js';

const byName = new Map<string, CommandDef>();
export const findCommand = (name: string) => byName.get(name);

export const allCommands: CommandDef[] = [...lifecycleCommands, ...domainInfoCommands, ...hostCommands, ...virshCommands(findCommand), ...shellCommands];
for (const c of allCommands) byName.set(c.name, c);
