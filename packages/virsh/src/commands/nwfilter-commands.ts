import type { CommandDef } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';

/** nwfilter-list: no driver of tsvirt defines network filters yet, so the list it prints is the empty one. */
export const nwfilterCommands: CommandDef[] = [
  {
    name: 'nwfilter-list', group: 'filter', help: 'list network filters', description: 'Returns list of network filters.', options: [],
    async run(ctx) {
      const conn = await ctx.connection();
      if (!conn) return false;
      try {
        await conn.numOfNWFilters();
      } catch (e) {
        ctx.error('Failed to count network filters');
        ctx.reportError(e);
        return false;
      }
      ctx.print(formatTable(['UUID', 'Name'], [], ctx.options.quiet));
      return true;
    },
  },
];
