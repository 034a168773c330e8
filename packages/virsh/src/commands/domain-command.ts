import { DomainModificationImpact as Impact, type Domain } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { commandDomain, DOMAIN_OPTION } from './domain-lookup.js';

/** What a domain command is, less its run: the domain option comes first, by itself. */
export type DomainCommandSpec = Omit<CommandDef, 'run' | 'group' | 'options'> & { group?: string; options?: OptionDef[] };

/**
 * A command on one domain: look it up, run the body, and report a failed API call the
 * way virsh does (the body's `failure` line first, when it names one).
 */
export function domainCommand(
  spec: DomainCommandSpec,
  body: (ctx: VirshContext, dom: Domain, opts: OptionValues) => Promise<boolean | void>,
  failure?: (dom: Domain, opts: OptionValues) => string,
): CommandDef {
  return {
    group: 'domain', ...spec, options: [DOMAIN_OPTION, ...(spec.options ?? [])],
    async run(ctx, opts) {
      const dom = await commandDomain(ctx, opts);
      if (!dom) return false;
      try {
        return (await body(ctx, dom, opts)) !== false;
      } catch (e) {
        if (failure) ctx.error(failure(dom, opts));
        ctx.reportError(e);
        return false;
      }
    },
  };
}

export const IMPACT_OPTIONS: OptionDef[] = [
  { name: 'config', type: 'bool', help: 'affect next boot' },
  { name: 'live', type: 'bool', help: 'affect running domain' },
  { name: 'current', type: 'bool', help: 'affect current domain' },
];

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
