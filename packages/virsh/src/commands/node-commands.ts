import type { CommandDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import type { Connect } from '@tsvirt/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { intOption } from './domain-command.js';
import { cpuRanges } from './domain-vcpu-commands.js';

// Host commands about the node's resources: SMBIOS data, free memory, CPU counters and map.

/** A host command: the connection, then the body; a failed call is reported after `failure`, when given. */
function nodeCommand(
  def: Omit<CommandDef, 'run' | 'group'>,
  body: (ctx: VirshContext, conn: Connect, opts: OptionValues) => Promise<boolean | void>,
  failure?: string,
): CommandDef {
  return {
    ...def, group: 'host',
    async run(ctx, opts) {
      const conn = await ctx.connection();
      if (!conn) return false;
      try {
        return (await body(ctx, conn, opts)) !== false;
      } catch (e) {
        if (failure) ctx.error(failure);
        ctx.reportError(e);
        return false;
      }
    },
  };
}

const sysinfo = nodeCommand({
  name: 'sysinfo', help: 'print the hypervisor sysinfo', description: 'output an XML string for the hypervisor sysinfo, if available', options: [],
}, async (ctx, conn) => {
  ctx.print(await conn.getSysinfo());
}, 'failed to get sysinfo');

const nodecpustats = nodeCommand({
  name: 'nodecpustats', help: 'Prints cpu stats of the node.', description: 'Returns cpu stats of the node, in nanoseconds.',
  options: [
    { name: 'cpu', type: 'int', help: 'prints specified cpu statistics only.' },
    { name: 'percent', type: 'bool', help: 'prints by percentage during 1 second.' },
  ],
}, async (ctx, conn, opts) => {
  const cpu = intOption(ctx, opts, 'cpu');
  if (cpu === null) return false;
  const stats = await conn.getCPUStats(cpu ?? -1);
  // libvirt's counters are user, kernel, idle and iowait; virsh calls kernel time "system"
  const label = (k: string) => (k === 'kernel' ? 'system' : k);
  if (!opts.has('percent')) {
    ctx.print(['user', 'kernel', 'idle', 'iowait'].filter((k) => k in stats)
      .map((k) => `${`${label(k)}:`.padEnd(15)} ${String(stats[k]).padStart(20)}\n`).join(''));
    return;
  }
  // as virsh: the share of each counter's growth over one second
  await sleep(1000);
  const later = await conn.getCPUStats(cpu ?? -1);
  const grew = (k: string) => Number(later[k] ?? 0) - Number(stats[k] ?? 0);
  const total = grew('user') + grew('kernel') + grew('idle') + grew('iowait');
  const percent = (n: number) => { const p = (n / total) * 100; return Number.isNaN(p) ? '-nan' : p.toFixed(1); };
  ctx.print([['usage', grew('user') + grew('kernel')], ['user', grew('user')], ['system', grew('kernel')], ['idle', grew('idle')], ['iowait', grew('iowait')]]
    .map(([k, n]) => `${`${k}:`.padEnd(15)} ${percent(n as number).padStart(5)}%\n`).join(''));
}, 'Unable to get node cpu stats');

const nodecpumap = nodeCommand({
  name: 'nodecpumap', help: 'node cpu map', description: 'Displays the node\'s total number of CPUs, the number of online CPUs and the list of online CPUs.',
  options: [{ name: 'pretty', type: 'bool', help: 'return human readable output' }],
}, async (ctx, conn, opts) => {
  const map = await conn.getCPUMap();
  const online = opts.has('pretty') ? cpuRanges(map.online) : Array.from({ length: map.cpus }, (_, c) => (map.online.includes(c) ? 'y' : '-')).join('');
  ctx.print(`${'CPUs present:'.padEnd(15)} ${map.cpus}\n${'CPUs online:'.padEnd(15)} ${map.online.length}\n${'CPU map:'.padEnd(15)} ${online}\n`);
}, 'Unable to get cpu map');

const freecell: CommandDef = {
  name: 'freecell', group: 'host', help: 'NUMA free memory', description: 'display available free memory for the NUMA cell.',
  options: [
    { name: 'cellno', type: 'int', help: 'NUMA cell number', positional: true },
    { name: 'all', type: 'bool', help: 'show free memory for all NUMA cells' },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const line = (label: string | number, bytes: number) => `${String(label).padStart(5)}: ${String(Math.floor(bytes / 1024)).padStart(10)} KiB\n`;
    try {
      if (opts.has('all')) {
        const { nodes } = await conn.getNodeInfo();
        const cells = await conn.getCellsFreeMemory(0, nodes);
        ctx.print(cells.map((b, i) => line(i, b)).join('') + '--------------------\n' + line('Total', cells.reduce((a, b) => a + b, 0)));
      } else if (opts.has('cellno')) {
        const text = opts.get('cellno') as string;
        const cell = /^\s*[-+]?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(cell) || Math.abs(cell) > 2 ** 31) {
          ctx.error(`Numeric value '${text}' for <cellno> option is malformed or out of range`);
          return false;
        }
        ctx.print(`${cell}: ${Math.floor((await conn.getCellsFreeMemory(cell, 1))[0] / 1024)} KiB\n`);
      } else {
        ctx.print(`Total: ${Math.floor((await conn.getFreeMemory()) / 1024)} KiB\n`);
      }
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

const domcapabilities = nodeCommand({
  name: 'domcapabilities', help: 'domain capabilities', description: 'Returns capabilities of emulator with respect to host and libvirt.',
  options: [
    { name: 'virttype', type: 'string', help: 'virtualization type (/domain/@type)' },
    { name: 'emulatorbin', type: 'string', help: 'path to emulator binary (/domain/devices/emulator)' },
    { name: 'arch', type: 'string', help: 'domain architecture (/domain/os/type/@arch)' },
    { name: 'machine', type: 'string', help: 'machine type (/domain/os/type/@machine)' },
  ],
}, async (ctx, conn, opts) => {
  const o = (name: string) => opts.get(name) as string | undefined;
  ctx.print(await conn.getDomainCapabilities(o('emulatorbin'), o('arch'), o('machine'), o('virttype')));
}, 'failed to get emulator capabilities');

export const nodeCommands: CommandDef[] = [sysinfo, nodecpustats, nodecpumap, freecell, domcapabilities];
