import type { TypedParams } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { IMPACT_OPTIONS, domainCommand, impactFlags } from './domain-command.js';

// Tunables of a domain as virsh shows them: "name: value", the name padded to 15.

/** libvirt's "unlimited" for memory tunables (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED). */
const UNLIMITED = Number.MAX_SAFE_INTEGER;
const NUMA_MODES = ['strict', 'preferred', 'interleave', 'restrictive'];

const paramLines = (params: TypedParams, show: (name: string, value: TypedParams[string]) => string = (_, v) => String(v)) =>
  Object.entries(params).map(([k, v]) => `${k.padEnd(15)}: ${show(k, v)}\n`).join('');

// These commands read their parameters; setting them (memtune --hard-limit, numatune
// --nodeset, domiftune --inbound, ...) needs libvirt's virDomainSet*Parameters calls,
// which tsvirt's API does not have yet, so those options are not offered.

const memtune = domainCommand({
  name: 'memtune', help: 'Get or set memory parameters', description: 'Get or set the current memory parameters for a guest domain.',
  options: [...IMPACT_OPTIONS],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  ctx.print(paramLines(await dom.getMemoryParameters(flags), (_, v) => (v === UNLIMITED ? 'unlimited' : String(v))));
}, () => 'Unable to get memory parameters');

const numatune = domainCommand({
  name: 'numatune', help: 'Get or set numa parameters', description: 'Get or set the current numa parameters for a guest domain.',
  options: [...IMPACT_OPTIONS],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  ctx.print(paramLines(await dom.getNumaParameters(flags), (k, v) => (k === 'numa_mode' ? NUMA_MODES[Number(v)] ?? String(v) : String(v))));
}, () => 'Unable to get numa parameters');

const domiftune = domainCommand({
  name: 'domiftune', help: 'get/set parameters of a virtual interface', description: 'Get/set parameters of a domain\'s virtual interface.',
  options: [
    { name: 'interface', type: 'string', help: 'interface device (MAC Address)', required: true, positional: true },
    ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  ctx.print(paramLines(await dom.getInterfaceParameters(opts.get('interface') as string, flags)));
}, () => 'Unable to get interface parameters');

export const domainTuneCommands: CommandDef[] = [memtune, numatune, domiftune];
