import { HELP_GROUPS, type HelpGroup } from './help-catalog.js';

/** Whether virsh has a command: help lists only those, in libvirt's groups and order. */
export type CommandExists = (name: string) => boolean;

/** libvirt's groups, each with only the commands that exist; groups left empty are left out. */
function existingGroups(exists: CommandExists): HelpGroup[] {
  return HELP_GROUPS.map((g) => ({ ...g, commands: g.commands.filter(([name]) => exists(name)) })).filter((g) => g.commands.length > 0);
}

/** One group: its heading (with a colon in `help`, without in `--help`) and its commands. */
function groupText(g: HelpGroup, colon: boolean): string {
  let s = ` ${g.title} (help keyword '${g.keyword}')${colon ? ':' : ''}\n`;
  for (const [name, help] of g.commands) s += `    ${name.padEnd(30)} ${help}\n`;
  return s;
}

/** Every group, each followed by an empty line. */
const allGroups = (exists: CommandExists, colon: boolean) => existingGroups(exists).map((g) => `${groupText(g, colon)}\n`).join('');

export const findHelpGroup = (exists: CommandExists, keyword: string) => existingGroups(exists).find((g) => g.keyword === keyword);

/** `virsh help`, or `virsh help KEYWORD` for one group. */
export function groupedHelp(exists: CommandExists, group?: HelpGroup): string {
  return group ? groupText(group, true) : `Grouped commands:\n\n${allGroups(exists, true)}`;
}

const USAGE = `
virsh [options]... [<command_string>]
virsh [options]... <command> [args...]

  options:
    -c | --connect=URI      hypervisor connection URI
    -d | --debug=NUM        debug level [0-4]
    -e | --escape <char>    set escape sequence for console
    -h | --help             this help
    -k | --keepalive-interval=NUM
                            keepalive interval in seconds, 0 for disable
    -K | --keepalive-count=NUM
                            number of possible missed keepalive messages
    -l | --log=FILE         output logging to file
    -q | --quiet            quiet mode
    -r | --readonly         connect readonly
    -t | --timing           print timing information
    -v                      short version
    -V                      long version
         --version[=TYPE]   version, TYPE is short or long (default short)
  commands (non interactive mode):

`;

/** `virsh --help`: the options, then every group of commands. */
export function usageText(exists: CommandExists): string {
  return `${USAGE}${allGroups(exists, false)}\n  (specify help <group> for details about the commands in the group)\n\n  (specify help <command> for details about the command)\n\n`;
}
