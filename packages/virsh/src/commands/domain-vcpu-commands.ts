import { DomainVcpuFlags as Vcpu, type Connect } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import { IMPACT_OPTIONS, domainCommand, impactFlags, impactOptions, intOption } from './domain-command.js';

/** The host's CPU count as virsh takes it, from the node's CPU map. */
const hostCpuCount = async (conn: Connect) => (await conn.getCPUMap()).cpus;

/** A CPU list as virsh writes it: ranges, "0-3,6". */
export function cpuRanges(cpus: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    out.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j;
  }
  return out.join(',');
}

/** A CPU list as virsh reads it ("0-3,^2", "r" for all): the CPUs, or null when malformed. */
export function parseCpuList(text: string, max: number): number[] | null {
  if (text === 'r') return Array.from({ length: max }, (_, i) => i);
  const set = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\^)?(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const [lo, hi] = [Number(m[2]), Number(m[3] ?? m[2])];
    if (hi < lo || hi >= max) return null;
    for (let c = lo; c <= hi; c++) if (m[1]) set.delete(c); else set.add(c);
  }
  return set.size ? [...set].sort((a, b) => a - b) : null;
}

const setvcpus = domainCommand({
  name: 'setvcpus', help: 'change number of virtual CPUs', description: 'Change the number of virtual CPUs in the guest domain.',
  options: [
    { name: 'count', type: 'int', help: 'number of virtual CPUs', required: true, positional: true },
    { name: 'maximum', type: 'bool', help: 'set maximum limit on next boot' },
    ...IMPACT_OPTIONS,
    { name: 'guest', type: 'bool', help: 'modify cpu state in the guest' },
    { name: 'hotpluggable', type: 'bool', help: 'make added vcpus hot(un)pluggable' },
  ],
}, async (ctx, dom, opts) => {
  let flags = impactFlags(ctx, opts);
  const count = intOption(ctx, opts, 'count');
  if (flags === null || count === null || count === undefined) return false;
  if (count <= 0) {
    ctx.error(`Can't set ${count} processors for a VM`);
    return false;
  }
  if (opts.has('maximum')) flags |= Vcpu.MAXIMUM;
  if (opts.has('guest')) flags |= Vcpu.GUEST;
  if (opts.has('hotpluggable')) flags |= Vcpu.HOTPLUGGABLE;
  // without flags virsh calls virDomainSetVcpus, which changes the running domain
  await dom.setVcpus(count, flags || Vcpu.LIVE);
});

const vcpucount = domainCommand({
  name: 'vcpucount', help: 'domain vcpu counts', description: 'Returns the number of virtual CPUs used by the domain.',
  options: [
    { name: 'maximum', type: 'bool', help: 'get maximum count of vcpus' },
    { name: 'active', type: 'bool', help: 'get number of currently active vcpus' },
    ...impactOptions({ live: 'get value from running domain', config: 'get value to be used on next boot', current: 'get value according to current domain state' }, ['live', 'config', 'current']),
    { name: 'guest', type: 'bool', help: 'retrieve vcpu count from the guest instead of the hypervisor' },
  ],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  const chosen = ['maximum', 'active', 'live', 'config', 'current', 'guest'].some((o) => opts.has(o));
  if (chosen) {
    ctx.print(`${await dom.getVcpusFlags(flags | (opts.has('maximum') ? Vcpu.MAXIMUM : 0) | (opts.has('guest') ? Vcpu.GUEST : 0))}\n`);
    return;
  }
  // every count; the live ones only for a running domain
  const live = dom.id !== -1;
  const rows: [string, string, number, boolean][] = [
    ['maximum', 'config', Vcpu.CONFIG | Vcpu.MAXIMUM, true], ['maximum', 'live', Vcpu.LIVE | Vcpu.MAXIMUM, live],
    ['current', 'config', Vcpu.CONFIG, true], ['current', 'live', Vcpu.LIVE, live],
  ];
  let out = '';
  for (const [which, state, f, wanted] of rows) {
    if (wanted) out += `${which.padEnd(12)} ${state.padEnd(12)} ${String(await dom.getVcpusFlags(f)).padStart(3)}\n`;
  }
  ctx.print(out);
});

const pad = (label: string) => label.padEnd(15);

const vcpuinfo = domainCommand({
  name: 'vcpuinfo', help: 'detailed domain vcpu information', description: 'Returns basic information about the domain virtual CPUs.',
  options: [{ name: 'pretty', type: 'bool', help: 'return human readable output' }],
}, async (ctx, dom, opts) => {
  const max = await hostCpuCount(dom.connection);
  const vcpus = await dom.getVcpus();
  ctx.print(vcpus.map((v) => {
    const affinity = opts.has('pretty')
      ? `${cpuRanges(v.affinity.filter((c) => c < max))} (out of ${max})`
      : Array.from({ length: max }, (_, c) => (v.affinity.includes(c) ? 'y' : '-')).join('');
    return `${pad('VCPU:')} ${v.number}\n${pad('CPU:')} ${v.cpu}\n${pad('State:')} running\n`
      + `${pad('CPU time:')} ${(v.cpuTime / 1e9).toFixed(1)}s\n${pad('CPU Affinity:')} ${affinity}\n`;
  }).join('\n'));
});

/** Shows or sets the pinning of vCPUs (with a vcpu and a cpulist, sets it). */
const vcpupin = domainCommand({
  name: 'vcpupin', help: 'control or query domain vcpu affinity', description: 'Pin domain VCPUs to host physical CPUs.',
  options: [
    { name: 'vcpu', type: 'int', help: 'vcpu number', positional: true },
    { name: 'cpulist', type: 'string', help: 'host cpu number(s) to set, or omit option to query', positional: true, emptyOk: true },
    ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  const vcpu = intOption(ctx, opts, 'vcpu');
  if (flags === null || vcpu === null) return false;
  const max = await hostCpuCount(dom.connection);
  const cpulist = opts.get('cpulist') as string | undefined;
  if (cpulist === undefined) {
    const pins = await dom.getVcpuPinInfo(flags);
    const rows = pins.filter((p) => vcpu === undefined || p.vcpu === vcpu)
      .map((p) => [String(p.vcpu), cpuRanges(p.cpus.filter((c) => c < max))]);
    ctx.print(formatTable(['VCPU', 'CPU Affinity'], rows, ctx.options.quiet));
    return;
  }
  if (vcpu === undefined) {
    ctx.error('vcpupin: Missing vCPU number in pin mode.');
    return false;
  }
  const cpus = parseCpuList(cpulist, max);
  if (!cpus) {
    ctx.error(`Physical CPU ${cpulist} doesn't exist.`);
    return false;
  }
  await dom.pinVcpu(vcpu, cpus, flags);
});

const emulatorpin = domainCommand({
  name: 'emulatorpin', help: 'control or query domain emulator affinity', description: 'Pin domain emulator threads to host physical CPUs.',
  options: [{ name: 'cpulist', type: 'string', help: 'host cpu number(s) to set, or omit option to query', positional: true, emptyOk: true }, ...IMPACT_OPTIONS],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  if (opts.has('cpulist')) {
    // tsvirt has no call to pin the emulator yet: report it as libvirt does a missing driver call
    ctx.error('this function is not supported by the connection driver: virDomainPinEmulator');
    return false;
  }
  const max = await hostCpuCount(dom.connection);
  const cpus = (await dom.getEmulatorPinInfo(flags)).filter((c) => c < max);
  ctx.print(`emulator: CPU Affinity\n----------------------------------\n${'*'.padStart(8)}: ${cpuRanges(cpus)}\n`);
});

export const domainVcpuCommands: CommandDef[] = [setvcpus, vcpucount, vcpuinfo, vcpupin, emulatorpin];
