import type { VirshContext } from '../virsh-context.js';

/** Kinds of command options, as virsh has them. */
export type OptionType = 'bool' | 'string' | 'int' | 'data' | 'argv';

export interface OptionDef {
  name: string;
  type: OptionType;
  help: string;
  required?: boolean;
  /** may be given without its --name, in order */
  positional?: boolean;
  /** other names virsh accepts for the option, not shown in help (libvirt's VSH_OT_ALIAS) */
  aliases?: readonly string[];
  /** an empty string is a value the command handles itself (libvirt's VSH_OFLAG_EMPTY_OK) */
  emptyOk?: boolean;
}

/** The values of a command's options after parsing: strings, or true for a bool. */
export type OptionValues = Map<string, string | true | string[]>;

export interface CommandDef {
  name: string;
  group: string;
  help: string;
  description: string;
  options: OptionDef[];
  /** commands that need no hypervisor connection (help, quit, echo, connect) */
  noConnect?: boolean;
  /** run the command: true on success; a failure has already been reported */
  run(ctx: VirshContext, opts: OptionValues): Promise<boolean>;
}

export interface ParsedCommand {
  def: CommandDef;
  opts: OptionValues;
}
