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

/** What the parser makes of an option of a type: true for a bool, every word of an argv, else the text. */
type ValueOfType<T extends OptionType> = T extends 'bool' ? true : T extends 'argv' ? string[] : string;

/** The value of option N of a schema: never missing when the option is required (the parser checked). */
type ValueOf<O extends readonly OptionDef[], N extends string> = string extends O[number]['name'] ? string | true | string[] | undefined : Extract<O[number], { name: N }> extends infer D
  ? D extends OptionDef ? (D extends { required: true } ? ValueOfType<D['type']> : ValueOfType<D['type']> | undefined) : never
  : never;

/**
 * A command's option values, typed by its schema (the `options` it declares): `get('file')`
 * is a string where `file` is a required string option, `string[] | undefined` for an
 * optional argv, and a name the command does not declare does not compile.
 */
// (by default any schema: helpers shared by commands read options by name, and every command's values pass to them)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface OptionValues<O extends readonly OptionDef[] = any> {
  get<N extends O[number]['name']>(name: N): ValueOf<O, N>;
  has(name: O[number]['name']): boolean;
}

export interface CommandDef<O extends readonly OptionDef[] = readonly OptionDef[]> {
  name: string;
  group: string;
  help: string;
  description: string;
  options: O;
  /** commands that need no hypervisor connection (help, quit, echo, connect) */
  noConnect?: boolean;
  /** run the command: true on success; a failure has already been reported */
  run(ctx: VirshContext, opts: OptionValues<O>): Promise<boolean>;
}

/** A command whose option values are typed by its own schema (the options are inferred as written). */
export const defineCommand = <const O extends readonly OptionDef[]>(def: CommandDef<O>): CommandDef => def as unknown as CommandDef;

/** What the parser hands a command: the options it was given, by name. */
export type ParsedOptions = Map<string, string | true | string[]>;

export interface ParsedCommand {
  def: CommandDef;
  opts: ParsedOptions;
}
