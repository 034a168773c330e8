import { ConnectListAllNodeDeviceFlags as F, type NodeDevice } from '@tsvirt/core';
import type { CommandDef, OptionDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { listOrReport, objectPrintCommand } from './object-commands.js';

const G = 'nodedev';
const DEVICE_ARG: OptionDef = { name: 'device', type: 'string', help: "device name or wwn pair in 'wwnn,wwpn' format", required: true, positional: true };

/** The device a command names; a miss is virsh's "Could not find matching device". */
async function findDevice(ctx: VirshContext, opts: OptionValues): Promise<NodeDevice | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  const name = opts.get('device') as string;
  try {
    return await conn.lookupNodeDeviceByName(name);
  } catch (e) {
    ctx.error(`Could not find matching device '${name}'`);
    ctx.reportError(e);
    return null;
  }
}

/** nodedev-list: the devices' names, sorted. */
const nodedevList: CommandDef = {
  name: 'nodedev-list', group: G, help: 'enumerate devices on this host', description: '',
  options: [
    { name: 'tree', type: 'bool', help: 'list devices in a tree' },
    { name: 'cap', type: 'string', help: 'capability names, separated by comma', emptyOk: true },
    { name: 'inactive', type: 'bool', help: 'list inactive devices' },
    { name: 'all', type: 'bool', help: 'list inactive & active devices' },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    // virsh asks for active devices unless told otherwise, whatever the driver supports
    const flags = opts.has('all') ? F.ACTIVE | F.INACTIVE : opts.has('inactive') ? F.INACTIVE : F.ACTIVE;
    const devs = await listOrReport(ctx, 'node devices', () => conn.listAllNodeDevices(flags));
    if (!devs) return false;
    ctx.print(devs.map((d) => `${d.name}\n`).sort().join(''));
    return true;
  },
};

export const nodedevCommands: CommandDef[] = [
  objectPrintCommand(
    {
      name: 'nodedev-dumpxml', group: G, help: 'node device details in XML', description: 'Output the node device details as an XML dump to stdout.',
      options: [
        DEVICE_ARG,
      ],
    },
    findDevice, (d) => d.getXMLDesc(),
  ),
  nodedevList,
];
