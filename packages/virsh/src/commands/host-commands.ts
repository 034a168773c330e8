import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';

/** A libvirt version number (major * 1,000,000 + minor * 1,000 + release) as text. */
export const versionText = (v: number) => `${Math.floor(v / 1e6)}.${Math.floor((v % 1e6) / 1e3)}.${v % 1e3}`;

/**
 * tsvirt reports the libvirt API level it implements, not its own release, because
 * clients gate features on that number.
 */
export const LIBVIRT_VERSION = 9000000;

/** A command that prints one answer of the connection. */
function connectQuery(
  name: string, help: string, description: string, get: (c: import('@tsvirt/core').Connect, opts: OptionValues) => Promise<string | number>, options: OptionDef[] = [],
): CommandDef {
  return {
    name, group: 'host', help, description, options,
    async run(ctx, opts) {
      const conn = await ctx.connection();
      if (!conn) return false;
      try {
        ctx.print(`${await get(conn, opts)}\n`);
        return true;
      } catch (e) {
        ctx.reportError(e);
        return false;
      }
    },
  };
}

const nodeinfo: CommandDef = {
  name: 'nodeinfo', group: 'host', help: 'node information', description: 'Returns basic information about the node.', options: [],
  async run(ctx) {
    const conn = await ctx.connection();
    if (!conn) return false;
    try {
      const n = await conn.getNodeInfo();
      const row = (label: string, value: string | number) => `${label.padEnd(20)} ${value}\n`;
      ctx.print(row('CPU model:', n.model) + row('CPU(s):', n.cpus) + row('CPU frequency:', `${n.mhz} MHz`)
        + row('CPU socket(s):', n.sockets) + row('Core(s) per socket:', n.cores) + row('Thread(s) per core:', n.threads)
        + row('NUMA cell(s):', n.nodes) + row('Memory size:', `${n.memory} KiB`));
      return true;
    } catch (e) {
      ctx.error('failed to get node information');
      ctx.reportError(e);
      return false;
    }
  },
};

const version: CommandDef = {
  name: 'version', group: 'host', help: 'show version', description: 'Display the system version information.',
  options: [{ name: 'daemon', type: 'bool', help: 'report daemon version too' }],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    try {
      const type = await conn.getType();
      let s = `Compiled against library: libvirt ${versionText(LIBVIRT_VERSION)}\nUsing library: libvirt ${versionText(LIBVIRT_VERSION)}\n`;
      s += `Using API: ${type} ${versionText(LIBVIRT_VERSION)}\nRunning hypervisor: ${type} ${versionText(await conn.getVersion())}\n`;
      if (opts.has('daemon')) s += `Running against daemon: ${versionText(await conn.getLibVersion())}\n`;
      ctx.print(s);
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

export const hostCommands: CommandDef[] = [
  connectQuery('capabilities', 'capabilities', 'Returns capabilities of hypervisor/driver.', (c) => c.getCapabilities()),
  connectQuery('hostname', 'print the hypervisor hostname', '', (c) => c.getHostname()),
  nodeinfo,
  connectQuery('uri', 'print the hypervisor canonical URI', '', (c) => c.getURI()),
  connectQuery('maxvcpus', 'connection vcpu maximum', 'Show maximum number of virtual CPUs for guests on this connection.',
    (c, opts) => c.getMaxVcpus(opts.get('type') as string | undefined), [{ name: 'type', type: 'string', help: 'domain type' }]),
  version,
];
