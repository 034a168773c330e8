import { DomainModificationImpact as Impact, type Domain } from '@tsvirt/core';
import { defineCommand, type CommandDef, type OptionDef, type OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { commandDomain, DOMAIN_OPTION } from './domain-lookup.js';

/** What a domain command is, less its run: the domain option comes first, by itself. */
export type DomainCommandSpec<O extends readonly OptionDef[] = readonly OptionDef[]> = Omit<CommandDef, 'run' | 'group' | 'options'> & {
  group?: string;
  options?: O;
  /** the domain is named by name or UUID only, not by id (as domrename's is) */
  byNameOrUuid?: boolean;
};

/** The schema of a domain command: the domain option, then its own. */
export type DomainOptions<O extends readonly OptionDef[]> = readonly [typeof DOMAIN_OPTION, ...O];

/**
 * A command on one domain: look it up, run the body, and report a failed API call the
 * way virsh does (the body's `failure` line first, when it names one).
 */
export function domainCommand<const O extends readonly OptionDef[] = readonly []>(
  spec: DomainCommandSpec<O>,
  body: (ctx: VirshContext, dom: Domain, opts: OptionValues<DomainOptions<O>>) => Promise<boolean | void>,
  failure?: (dom: Domain, opts: OptionValues<DomainOptions<O>>) => string,
): CommandDef {
  return defineCommand<DomainOptions<O>>({
    group: 'domain', ...spec,
    options: [spec.byNameOrUuid ? { ...DOMAIN_OPTION, help: 'domain name or uuid' } : DOMAIN_OPTION, ...(spec.options ?? [])] as unknown as DomainOptions<O>,
    async run(ctx, opts) {
      const dom = await commandDomain(ctx, opts, 'domain', spec.byNameOrUuid ? { id: false, uuid: true, name: true } : undefined);
      if (!dom) return false;
      try {
        return (await body(ctx, dom, opts)) !== false;
      } catch (e) {
        if (failure) ctx.error(failure(dom, opts));
        ctx.reportError(e);
        return false;
      }
    },
  });
}

export const IMPACT_OPTIONS: OptionDef[] = [
  { name: 'config', type: 'bool', help: 'affect next boot' },
  { name: 'live', type: 'bool', help: 'affect running domain' },
  { name: 'current', type: 'bool', help: 'affect current domain' },
];

/** --config, --live and --current in the order and words of a command whose libvirt help words them its own way. */
export const impactOptions = (words: Record<'config' | 'live' | 'current', string>, order: readonly ('config' | 'live' | 'current')[] = ['config', 'live', 'current']): OptionDef[] =>
  order.map((name) => ({ name, type: 'bool', help: words[name] }));

/**
 * The LIVE/CONFIG flags of --live, --config and --current (and --persistent where a
 * command has it: the persistent definition, and the running one when there is one);
 * null (reported) when --current is mixed with another.
 */
export function impactFlags(ctx: VirshContext, opts: OptionValues, dom?: Domain): number | null {
  for (const other of ['live', 'config', 'persistent']) {
    if (opts.has('current') && opts.has(other)) {
      ctx.error(`Options --current and --${other} are mutually exclusive`);
      return null;
    }
  }
  let flags = 0;
  if (opts.has('live')) flags |= Impact.LIVE;
  if (opts.has('config')) flags |= Impact.CONFIG;
  if (opts.has('persistent')) flags |= Impact.CONFIG | (dom && dom.id !== -1 ? Impact.LIVE : 0);
  return flags;
}

/** An integer option (virsh's vshCommandOptInt): null (reported) when malformed. */
export function intOption(ctx: VirshContext, opts: OptionValues, name: string): number | null | undefined {
  const raw = opts.get(name);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    ctx.error(`Numeric value '${raw}' for <${name}> option is malformed or out of range`);
    return null;
  }
  return Number(raw);
}

/** The flags of the bool options a command was given, from a table of option name and flag bit (unsigned, as flags are). */
export const flagsOf = (opts: OptionValues, table: readonly (readonly [string, number, ...unknown[]])[]) =>
  table.reduce((flags, [name, bit]) => (opts.has(name) ? (flags | bit) >>> 0 : flags), 0);
