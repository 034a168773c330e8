import { normalizeUuid, type Connect, type Domain } from '@tsvirt/core';
import type { OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';

/**
 * Find the domain a command names, as virsh does: by id when it is a number, then by
 * UUID, then by name. A miss is reported once, as "failed to get domain".
 */
export async function lookupDomain(ctx: VirshContext, conn: Connect, name: string): Promise<Domain | null> {
  if (/^\d+$/.test(name)) {
    const id = Number(name);
    try { return await conn.lookupDomainByID(id); } catch { /* try the other ways */ }
  }
  if (normalizeUuid(name)) {
    try { return await conn.lookupDomainByUUID(name); } catch { /* try by name */ }
  }
  try {
    return await conn.lookupDomainByName(name);
  } catch {
    ctx.error(`failed to get domain '${name}'`);
    return null;
  }
}

/** The connection and the domain of a command's --domain option, or null (reported). */
export async function commandDomain(ctx: VirshContext, opts: OptionValues, opt = 'domain'): Promise<Domain | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  return lookupDomain(ctx, conn, opts.get(opt) as string);
}

export const DOMAIN_OPTION = { name: 'domain', type: 'string', help: 'domain name, id or uuid', required: true, positional: true } as const;
