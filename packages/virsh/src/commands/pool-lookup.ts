import type { StoragePool } from '@tsvirt/core';
import type { OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { lookupNamedObject } from './object-lookup.js';

/** The pool a command names in option `opt`, by UUID or name; null (reported) when missing. */
export async function commandPool(ctx: VirshContext, opts: OptionValues, opt = 'pool'): Promise<StoragePool | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  return lookupNamedObject(ctx, 'pool', opts.get(opt) as string, {
    byUuid: (u) => conn.lookupStoragePoolByUUID(u), byName: (n) => conn.lookupStoragePoolByName(n),
  });
}

export const findPool = (ctx: VirshContext, opts: OptionValues) => commandPool(ctx, opts);
