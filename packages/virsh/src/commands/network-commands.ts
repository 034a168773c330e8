import { ConnectListAllNetworksFlags as L, type Connect, type Network } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { byName, fromFileCommand, listFlags, listOrReport, objectActionCommand, objectPrintCommand } from './object-commands.js';
import { infoLine, lookupNamedObject, yesNo, type LookupWays } from './object-lookup.js';

const G = 'network';
const NETWORK_OPTION: OptionDef = { name: 'network', type: 'string', help: 'network name or uuid', required: true, positional: true };
const FILE_OPTIONS: OptionDef[] = [
  { name: 'file', type: 'string', help: 'file containing an XML network description', required: true, positional: true },
  { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
];

const byUuidOrName = (conn: Connect): LookupWays<Network> => ({
  byUuid: (u) => conn.lookupNetworkByUUID(u), byName: (n) => conn.lookupNetworkByName(n),
});

/** The network of a command's --network option, looked up the ways `ways` allows; null (reported) when missing. */
function networkFinder(ways = byUuidOrName) {
  return async (ctx: VirshContext, opts: OptionValues): Promise<Network | null> => {
    const conn = await ctx.connection();
    if (!conn) return null;
    return lookupNamedObject(ctx, 'network', opts.get('network') as string, ways(conn));
  };
}
export const findNetwork = networkFinder();

/** net-start, net-destroy, net-undefine: one call, then "Network NAME <done>". */
function networkAction(name: string, help: string, description: string, act: (n: Network) => Promise<void>, done: string, failed: string): CommandDef {
  return objectActionCommand({ name, group: G, help, description, options: [NETWORK_OPTION] }, findNetwork, act,
    (n) => `Network ${n.name} ${done}`, (n) => `${failed} ${n.name}`);
}

const LIST_FILTERS: [string, number, string][] = [
  ['inactive', L.INACTIVE, 'list inactive networks'],
  ['all', L.INACTIVE | L.ACTIVE, 'list inactive & active networks'],
  ['persistent', L.PERSISTENT, 'list persistent networks'],
  ['transient', L.TRANSIENT, 'list transient networks'],
  ['autostart', L.AUTOSTART, 'list networks with autostart enabled'],
  ['no-autostart', L.NO_AUTOSTART, 'list networks with autostart disabled'],
];

const netList: CommandDef = {
  name: 'net-list', group: G, help: 'list networks', description: 'Returns list of networks.',
  options: [
    ...LIST_FILTERS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
    { name: 'uuid', type: 'bool', help: "list uuid's only" },
    { name: 'name', type: 'bool', help: 'list network names only' },
    { name: 'table', type: 'bool', help: 'list table (default)' },
  ],
  async run(ctx, opts) {
    if (['table', 'name', 'uuid'].filter((o) => opts.has(o)).length > 1) {
      ctx.error('Only one argument from --table, --name and --uuid may be specified.');
      return false;
    }
    const conn = await ctx.connection();
    if (!conn) return false;
    const nets = await listOrReport(ctx, 'networks', () => conn.listAllNetworks(listFlags(opts, LIST_FILTERS, L.ACTIVE, L.INACTIVE)));
    if (!nets) return false;
    nets.sort(byName);
    if (opts.has('uuid') || opts.has('name')) {
      ctx.print(nets.map((n) => `${opts.has('uuid') ? n.uuid : n.name}\n`).join(''));
      return true;
    }
    const rows = await Promise.all(nets.map(async (n) => [
      n.name, (await n.isActive()) ? 'active' : 'inactive', await n.getAutostart().then(yesNo, () => '-'), yesNo(await n.isPersistent()),
    ]));
    ctx.print(formatTable(['Name', 'State', 'Autostart', 'Persistent'], rows, ctx.options.quiet));
    return true;
  },
};

const netInfo = objectPrintCommand(
  { name: 'net-info', group: G, help: 'network information', description: 'Returns basic information about the network', options: [NETWORK_OPTION] },
  findNetwork,
  async (net) => {
    let s = infoLine('Name:', net.name) + infoLine('UUID:', net.uuid);
    s += infoLine('Active:', yesNo(await net.isActive())) + infoLine('Persistent:', yesNo(await net.isPersistent()));
    s += infoLine('Autostart:', await net.getAutostart().then(yesNo, () => 'no autostart'));
    const bridge = await net.getBridgeName().catch(() => null);
    return bridge ? s + infoLine('Bridge:', bridge) : s;
  },
);

const netDumpxml = objectPrintCommand(
  {
    name: 'net-dumpxml', group: G, help: 'network information in XML', description: 'Output the network information as an XML dump to stdout.',
    options: [
      NETWORK_OPTION,
      { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
    ],
  },
  findNetwork, (net, opts) => net.getXMLDesc(opts.has('inactive') ? 1 : 0),
);

/** net-name and net-uuid: one way of naming a network turned into the other. */
function netConvert(name: string, help: string, optHelp: string, ways: (c: Connect) => LookupWays<Network>, show: (n: Network) => string): CommandDef {
  return objectPrintCommand({ name, group: G, help, description: '', options: [{ ...NETWORK_OPTION, help: optHelp }] },
    networkFinder(ways), async (n) => `${show(n)}\n`);
}

const netAutostart = objectActionCommand(
  {
    name: 'net-autostart', group: G, help: 'autostart a network', description: 'Configure a network to be automatically started at boot.',
    options: [NETWORK_OPTION, { name: 'disable', type: 'bool', help: 'disable autostarting' }],
  },
  findNetwork, (n, opts) => n.setAutostart(!opts.has('disable')),
  (n, opts) => `Network ${n.name} ${opts.has('disable') ? 'unmarked' : 'marked'} as autostarted`,
  (n, opts) => `failed to ${opts.has('disable') ? 'unmark' : 'mark'} network ${n.name} as autostarted`,
);

/** An expiry time as virsh prints it: local time, to the second. */
function expiryText(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const netDhcpLeases: CommandDef = {
  name: 'net-dhcp-leases', group: G, help: 'print lease info for a given network', description: 'Print lease info for a given network',
  options: [NETWORK_OPTION, { name: 'mac', type: 'string', help: 'MAC address' }],
  async run(ctx, opts) {
    const net = await findNetwork(ctx, opts);
    if (!net) return false;
    let leases;
    try {
      leases = await net.getDHCPLeases(opts.get('mac') as string | undefined);
    } catch (e) {
      ctx.error(`Failed to get leases info for ${net.name}`);
      ctx.reportError(e);
      return false;
    }
    const ipv6 = 1;
    const rows = leases.map((l) => [
      expiryText(l.expirytime), l.mac, l.type === ipv6 ? 'ipv6' : 'ipv4', `${l.ipaddr}/${l.prefix}`, l.hostname || '-',
      (l.type === ipv6 ? l.iaid : l.clientid) || '-',
    ]);
    ctx.print(formatTable(['Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID'], rows, ctx.options.quiet));
    return true;
  },
};

export const networkCommands: CommandDef[] = [
  netAutostart,
  fromFileCommand({ name: 'net-create', group: G, help: 'create a network from an XML file', description: 'Create a network.', options: FILE_OPTIONS },
    (c, xml) => c.createNetworkXML(xml), (n, file) => `Network ${n.name} created from ${file}`, (file) => `Failed to create network from ${file}`),
  fromFileCommand({
    name: 'net-define', group: G, help: 'define an inactive persistent virtual network or modify an existing persistent one from an XML file',
    description: 'Define or modify a persistent virtual network.', options: FILE_OPTIONS,
  }, (c, xml) => c.defineNetworkXML(xml), (n, file) => `Network ${n.name} defined from ${file}`, (file) => `Failed to define network from ${file}`),
  networkAction('net-destroy', 'destroy (stop) a network', 'Forcefully stop a given network.', (n) => n.destroy(), 'destroyed', 'Failed to destroy network'),
  netDhcpLeases,
  netDumpxml,
  netInfo,
  netList,
  netConvert('net-name', 'convert a network UUID to network name', 'network uuid', (c) => ({ byUuid: (u) => c.lookupNetworkByUUID(u) }), (n) => n.name),
  networkAction('net-start', 'start a (previously defined) inactive network', 'Start a network.', (n) => n.create(), 'started', 'Failed to start network'),
  networkAction('net-undefine', 'undefine a persistent network', 'Undefine the configuration for a persistent network.', (n) => n.undefine(), 'has been undefined', 'Failed to undefine network'),
  netConvert('net-uuid', 'convert a network name to network UUID', 'network name', (c) => ({ byName: (n) => c.lookupNetworkByName(n) }), (n) => n.uuid),
];
