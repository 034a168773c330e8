import type { Connect, Domain } from '@tsvirt/core';
import { normalizeUuid } from '@tsvirt/core/driver';
import type { OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { Level } from '../virsh-log.js';

/** The ways a command takes a domain: most take all three; domname, domid and domuuid two. */
export interface DomainWays { id: boolean; uuid: boolean; name: boolean }
const ANY_WAY: DomainWays = { id: true, uuid: true, name: true };

/**
 * Find the domain a command names, as virsh does: by id when it is a number, then by
 * UUID, then by name, each where the command takes that way. A miss is reported once,
 * as "failed to get domain".
 */
export async function lookupDomain(ctx: VirshContext, conn: Connect, name: string, ways: DomainWays = ANY_WAY): Promise<Domain | null> {
  const trying = (how: string) => ctx.debug(Level.DEBUG, `${ctx.command}: <domain> trying as domain ${how}`);
  const missed = () => {
    ctx.error(`failed to get domain '${name}'`);
    return null;
  };
  if (ways.id && /^\d+$/.test(name)) {
    const id = Number(name);
    ctx.debug(Level.DEBUG, `${ctx.command}: <domain> looks like ID`);
    try { return await conn.lookupDomainByID(id); } catch { /* try the other ways */ }
  }
  if (ways.uuid && normalizeUuid(name)) {
    trying('UUID');
    try { return await conn.lookupDomainByUUID(name); } catch { /* try by name */ }
  }
  if (!ways.name) return missed();
  trying('NAME');
  try {
    return await conn.lookupDomainByName(name);
  } catch {
    return missed();
  }
}

/** The connection and the domain of a command's --domain option, or null (reported). */
export async function commandDomain(ctx: VirshContext, opts: OptionValues, opt = 'domain', ways: DomainWays = ANY_WAY): Promise<Domain | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  const name = opts.get(opt) as string;
  ctx.debug(Level.INFO, `${ctx.command}: found option <${opt}>: ${name}`);
  return lookupDomain(ctx, conn, name, ways);
}

export const DOMAIN_OPTION = { name: 'domain', type: 'string', help: 'domain name, id or uuid', required: true, positional: true } as const;
