import type { Connect } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { readCommandFile } from './domain-lifecycle-commands.js';

// Command shapes that networks, storage pools and volumes share.

interface CommandText {
  name: string;
  group: string;
  help: string;
  description: string;
  options: OptionDef[];
}

/** Finds the object a command names; null when it is missing (already reported). */
export type ObjectFinder<T> = (ctx: VirshContext, opts: OptionValues) => Promise<T | null>;

/** A command that calls one API on an object, then prints what was done or why it failed. */
export function objectActionCommand<T>(
  text: CommandText, find: ObjectFinder<T>, act: (o: T, opts: OptionValues) => Promise<void>,
  done: (o: T, opts: OptionValues) => string, failed: (o: T, opts: OptionValues) => string,
): CommandDef {
  return {
    ...text,
    async run(ctx, opts) {
      const o = await find(ctx, opts);
      if (o === null) return false;
      try {
        await act(o, opts);
      } catch (e) {
        ctx.error(failed(o, opts));
        ctx.reportError(e);
        return false;
      }
      ctx.print(`${done(o, opts)}\n`);
      return true;
    },
  };
}

/** A command that prints one string an API call returns (an XML description, a name). */
export function objectPrintCommand<T>(
  text: CommandText, find: ObjectFinder<T>, show: (o: T, opts: OptionValues, ctx: VirshContext) => Promise<string | Uint8Array>,
): CommandDef {
  return {
    ...text,
    async run(ctx, opts) {
      const o = await find(ctx, opts);
      if (o === null) return false;
      try {
        ctx.print(await show(o, opts, ctx));
        return true;
      } catch (e) {
        ctx.reportError(e);
        return false;
      }
    },
  };
}

/** A command that makes an object from the XML file of its --file option. */
export function fromFileCommand<T>(
  text: CommandText, make: (conn: Connect, xml: string, opts: OptionValues) => Promise<T>,
  done: (o: T, file: string) => string, failed: (file: string) => string,
): CommandDef {
  return {
    ...text,
    async run(ctx, opts) {
      const conn = await ctx.connection();
      if (!conn) return false;
      const file = opts.get('file') as string;
      const xml = await readCommandFile(ctx, file);
      if (xml === null) return false;
      try {
        ctx.print(`${done(await make(conn, xml, opts), file)}\n`);
        return true;
      } catch (e) {
        ctx.error(failed(file));
        ctx.reportError(e);
        return false;
      }
    },
  };
}

/** The filter flags of a list command's options; no state option means active ones, --all means no state filter. */
export function listFlags(opts: OptionValues, filters: [string, number, string][], active: number, inactive: number): number {
  let flags = 0;
  for (const [name, bits] of filters) if (opts.has(name)) flags |= bits;
  if (!(flags & (active | inactive))) flags |= active;
  if ((flags & (active | inactive)) === (active | inactive)) flags &= ~(active | inactive);
  return flags;
}

/** The objects a list command shows, or null after reporting "Failed to list WHAT" and the error. */
export async function listOrReport<T>(ctx: VirshContext, what: string, list: () => Promise<T[]>): Promise<T[] | null> {
  try {
    return await list();
  } catch (e) {
    ctx.error(`Failed to list ${what}`);
    ctx.reportError(e);
    return null;
  }
}

/** The order virsh lists networks, pools and volumes in: by name. */
export const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
