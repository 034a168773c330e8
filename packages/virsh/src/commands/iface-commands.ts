import { ConnectListAllInterfacesFlags as L, type Interface } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { byName, listOrReport, objectPrintCommand } from './object-commands.js';
import { lookupNamedObject, type LookupWays } from './object-lookup.js';

const G = 'interface';
const ifaceArg = (help: string): OptionDef => ({ name: 'interface', type: 'string', help, required: true, positional: true });
const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

/**
 * The interface a command names: by MAC address when the text is one, else by name, each
 * only where the command takes that way (iface-name takes a MAC, iface-mac a name).
 */
function interfaceFinder(by: { name: boolean; mac: boolean }) {
  return async (ctx: VirshContext, opts: OptionValues): Promise<Interface | null> => {
    const conn = await ctx.connection();
    if (!conn) return null;
    const text = opts.get('interface') as string;
    const isMac = MAC_RE.test(text);
    const ways: LookupWays<Interface> = {};
    if (isMac && by.mac) ways.byName = (t) => conn.lookupInterfaceByMAC(t);
    if (!isMac && by.name) ways.byName = (t) => conn.lookupInterfaceByName(t);
    return lookupNamedObject(ctx, 'interface', text, ways);
  };
}
const byNameOrMac = { name: true, mac: true };

const ifaceList: CommandDef = {
  name: 'iface-list', group: G, help: 'list physical host interfaces', description: 'Returns list of physical host interfaces.',
  options: [
    { name: 'inactive', type: 'bool', help: 'list inactive interfaces' },
    { name: 'all', type: 'bool', help: 'list inactive & active interfaces' },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const flags = opts.has('all') ? L.ACTIVE | L.INACTIVE : opts.has('inactive') ? L.INACTIVE : L.ACTIVE;
    const ifaces = await listOrReport(ctx, 'interfaces', () => conn.listAllInterfaces(flags));
    if (!ifaces) return false;
    ifaces.sort(byName);
    const rows = await Promise.all(ifaces.map(async (i) => [i.name, (await i.isActive()) ? 'active' : 'inactive', i.mac]));
    ctx.print(formatTable(['Name', 'State', 'MAC Address'], rows, ctx.options.quiet));
    return true;
  },
};

export const ifaceCommands: CommandDef[] = [
  objectPrintCommand(
    {
      name: 'iface-dumpxml', group: G, help: 'interface information in XML',
      description: 'Output the physical host interface information as an XML dump to stdout.',
      options: [
        ifaceArg('interface name or MAC address'),
        { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
      ],
    },
    interfaceFinder(byNameOrMac), (i, opts) => i.getXMLDesc(opts.has('inactive') ? 1 : 0),
  ),
  ifaceList,
  objectPrintCommand({ name: 'iface-mac', group: G, help: 'convert an interface name to interface MAC address', description: '', options: [ifaceArg('interface name')] },
    interfaceFinder({ name: true, mac: false }), async (i) => `${i.mac}\n`),
  objectPrintCommand({ name: 'iface-name', group: G, help: 'convert an interface MAC address to interface name', description: '', options: [ifaceArg('interface mac')] },
    interfaceFinder({ name: false, mac: true }), async (i) => `${i.name}\n`),
];
