import type { StoragePool } from '@tsvirt/core';
import type { OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { lookupNamedObject } from './object-lookup.js';

/**
 * The pool a command names in option `opt`, by UUID or name (pool-name takes only a UUID,
 * pool-uuid only a name); null (reported) when missing.
 */
export async function commandPool(ctx: VirshContext, opts: OptionValues, opt = 'pool', by = { uuid: true, name: true }): Promise<StoragePool | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  return lookupNamedObject(ctx, 'pool', opts.get(opt) as string, {
    byUuid: by.uuid ? (u) => conn.lookupStoragePoolByUUID(u) : undefined,
    byName: by.name ? (n) => conn.lookupStoragePoolByName(n) : undefined,
  });
}

export const findPool = (ctx: VirshContext, opts: OptionValues) => commandPool(ctx, opts);
