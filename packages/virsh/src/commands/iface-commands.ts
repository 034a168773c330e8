import { ConnectListAllInterfacesFlags as L, InterfaceDefineFlags, type Connect, type Interface } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { byName, fromFileCommand, listOrReport, objectActionCommand, objectPrintCommand } from './object-commands.js';
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

const findIface = interfaceFinder(byNameOrMac);

/** iface-start, -destroy and -undefine: one call on the interface a command names. */
function ifaceAction(name: string, help: string, description: string, act: (i: Interface) => Promise<void>, done: string, verb: string): CommandDef {
  return objectActionCommand({ name, group: G, help, description, options: [ifaceArg('interface name or MAC address')] },
    // named as the command was given it (a name or a MAC address), as libvirt's virsh does
    findIface, act, (_i, opts) => `Interface ${opts.get('interface')} ${done}`, (_i, opts) => `Failed to ${verb} interface ${opts.get('interface')}`);
}

/** iface-begin, -commit and -rollback: the connection's change transaction. */
function transactionCommand(name: string, help: string, description: string, act: (c: Connect) => Promise<void>, done: string, verb: string): CommandDef {
  return {
    name, group: G, help, description, options: [],
    async run(ctx) {
      const conn = await ctx.connection();
      if (!conn) return false;
      try {
        await act(conn);
      } catch (e) {
        ctx.error(`Failed to ${verb} network config change transaction`);
        ctx.reportError(e);
        return false;
      }
      ctx.print(`Network config change transaction ${done}\n`);
      return true;
    },
  };
}

export const ifaceCommands: CommandDef[] = [
  fromFileCommand(
    {
      name: 'iface-define', group: G, description: 'Define or modify a persistent physical host interface.',
      help: 'define an inactive persistent physical host interface or modify an existing persistent one from an XML file',
      options: [
        { name: 'file', type: 'string', help: 'file containing an XML interface description', required: true, positional: true },
        { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
      ],
    },
    (conn, xml, opts) => conn.defineInterfaceXML(xml, opts.has('validate') ? InterfaceDefineFlags.VALIDATE : 0),
    (i, file) => `Interface ${i.name} defined from ${file}`, (file) => `Failed to define interface from ${file}`,
  ),
  ifaceAction('iface-undefine', 'undefine a physical host interface (remove it from configuration)', 'undefine an interface.',
    (i) => i.undefine(), 'undefined', 'undefine'),
  ifaceAction('iface-start', 'start a physical host interface (enable it / "if-up")', 'start a physical host interface.',
    (i) => i.create(), 'started', 'start'),
  ifaceAction('iface-destroy', 'destroy a physical host interface (disable it / "if-down")', 'forcefully stop a physical host interface.',
    (i) => i.destroy(), 'destroyed', 'destroy'),
  transactionCommand('iface-begin', 'create a snapshot of current interfaces settings, which can be later committed (iface-commit) or restored (iface-rollback)',
    'Create a restore point for interfaces settings', (c) => c.interfaceChangeBegin(), 'started', 'begin'),
  transactionCommand('iface-commit', 'commit changes made since iface-begin and free restore point', 'commit changes and free restore point',
    (c) => c.interfaceChangeCommit(), 'committed', 'commit'),
  transactionCommand('iface-rollback', 'rollback to previous saved configuration created via iface-begin', 'rollback to previous restore point',
    (c) => c.interfaceChangeRollback(), 'rolled back', 'rollback'),
  objectPrintCommand(
    {
      name: 'iface-dumpxml', group: G, help: 'interface information in XML',
      description: 'Output the physical host interface information as an XML dump to stdout.',
      options: [
        ifaceArg('interface name or MAC address'),
        { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
      ],
    },
    findIface, (i, opts) => i.getXMLDesc(opts.has('inactive') ? 1 : 0),
  ),
  ifaceList,
  objectPrintCommand({ name: 'iface-mac', group: G, help: 'convert an interface name to interface MAC address', description: '', options: [ifaceArg('interface name')] },
    interfaceFinder({ name: true, mac: false }), async (i) => `${i.mac}\n`),
  objectPrintCommand({ name: 'iface-name', group: G, help: 'convert an interface MAC address to interface name', description: '', options: [ifaceArg('interface mac')] },
    interfaceFinder({ name: false, mac: true }), async (i) => `${i.name}\n`),
];
