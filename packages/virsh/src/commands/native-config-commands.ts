import type { CommandDef } from '../cli/command-def.js';
import { readCommandFile } from './domain-lifecycle-commands.js';
import { lookupDomain } from './domain-lookup.js';

const domxmlToNative: CommandDef = {
  name: 'domxml-to-native', group: 'domain', help: 'Convert domain XML to native config',
  description: 'Convert domain XML config to a native guest configuration format.',
  options: [
    { name: 'format', type: 'string', help: 'target config data type format', required: true, positional: true },
    { name: 'domain', type: 'string', help: 'domain name, id or uuid' },
    { name: 'xml', type: 'string', help: 'xml data file to export from', positional: true },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const file = opts.get('xml') as string | undefined;
    const name = opts.get('domain') as string | undefined;
    if ((file === undefined) === (name === undefined)) {
      ctx.error(file === undefined ? 'need either domain or domain XML' : 'Options --domain and --xml are mutually exclusive');
      return false;
    }
    let xml: string | null;
    if (file !== undefined) {
      xml = await readCommandFile(ctx, file);
    } else {
      const dom = await lookupDomain(ctx, conn, name!);
      xml = dom && await dom.getXMLDesc().catch((e: unknown) => { ctx.reportError(e); return null; });
    }
    if (xml === null) return false;
    try {
      ctx.print(await conn.domainXMLToNative(opts.get('format') as string, xml, 0));
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

const domxmlFromNative: CommandDef = {
  name: 'domxml-from-native', group: 'domain', help: 'Convert native config to domain XML',
  description: 'Convert native guest configuration format to domain XML format.',
  options: [
    { name: 'format', type: 'string', help: 'source config data format', required: true, positional: true },
    { name: 'config', type: 'string', help: 'config data file to import from', required: true, positional: true },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const config = await readCommandFile(ctx, opts.get('config') as string);
    if (config === null) return false;
    try {
      ctx.print(await conn.domainXMLFromNative(opts.get('format') as string, config, 0));
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

export const nativeConfigCommands: CommandDef[] = [domxmlFromNative, domxmlToNative];
