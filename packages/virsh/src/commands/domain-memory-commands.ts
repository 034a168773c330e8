import { DomainMemoryModFlags as Mem, DomainMemoryStatTags as Tag } from '@tsvirt/core';
import { toKiB } from '@tsvirt/core/xml';
import type { CommandDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { IMPACT_OPTIONS, domainCommand, impactFlags } from './domain-command.js';

/** A memory size option: a number with an optional unit, KiB when none (virsh's scaled integer). */
function kibOption(ctx: VirshContext, opts: OptionValues, name: string): number | null {
  const raw = opts.get(name) as string;
  // virsh reads the digits first (strtoull), then the rest as the unit
  const m = /^\s*(\d+)(.*)$/s.exec(raw);
  const kib = m ? toKiB(Number(m[1]), m[2] || undefined) : null;
  if (kib === null || !Number.isSafeInteger(kib)) {
    ctx.error(`Scaled numeric value '${raw}' for <${name}> option is malformed or out of range`);
    if (m && kib === null) ctx.error(`invalid argument: unknown suffix '${m[2]}'`);
    return null;
  }
  return kib;
}

const sizeOption = (help: string) => ({ name: 'size', aliases: ['kilobytes'], type: 'int', help, required: true, positional: true } as const);

const setmem = domainCommand({
  name: 'setmem', help: 'change memory allocation', description: 'Change the current memory allocation in the guest domain.',
  options: [sizeOption('new memory size, as scaled integer (default KiB)'), ...IMPACT_OPTIONS],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  const kib = kibOption(ctx, opts, 'size');
  if (flags === null || kib === null) return false;
  // without flags virsh calls virDomainSetMemory, which changes the running domain
  await dom.setMemory(kib, flags || Mem.LIVE);
});

const setmaxmem = domainCommand({
  name: 'setmaxmem', help: 'change maximum memory limit', description: 'Change the maximum memory allocation limit in the guest domain.',
  options: [sizeOption('new maximum memory size, as scaled integer (default KiB)'), ...IMPACT_OPTIONS],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  const kib = kibOption(ctx, opts, 'size');
  if (flags === null || kib === null) return false;
  try {
    if (flags === 0) await dom.setMaxMemory(kib);
    else await dom.setMemory(kib, flags | Mem.MAXIMUM);
  } catch (e) {
    ctx.error('Unable to change MaxMemorySize');
    throw e;
  }
});

/** virsh's names of memory statistics, by tag. */
const STAT_NAMES: Record<number, string> = {
  [Tag.SWAP_IN]: 'swap_in', [Tag.SWAP_OUT]: 'swap_out', [Tag.MAJOR_FAULT]: 'major_fault', [Tag.MINOR_FAULT]: 'minor_fault',
  [Tag.UNUSED]: 'unused', [Tag.AVAILABLE]: 'available', [Tag.ACTUAL_BALLOON]: 'actual', [Tag.RSS]: 'rss', [Tag.USABLE]: 'usable',
  [Tag.LAST_UPDATE]: 'last_update', [Tag.DISK_CACHES]: 'disk_caches', [Tag.HUGETLB_PGALLOC]: 'hugetlb_pgalloc', [Tag.HUGETLB_PGFAIL]: 'hugetlb_pgfail',
};

const dommemstat = domainCommand({
  name: 'dommemstat', help: 'get memory statistics for a domain', description: 'Get memory statistics for a running domain.',
  // --period (and its --live, --config, --current) needs virDomainSetMemoryStatsPeriod, not in tsvirt's API yet.
  options: [],
}, async (ctx, dom) => {
  const stats = await dom.memoryStats();
  ctx.print(stats.map((s) => `${STAT_NAMES[s.tag] ?? s.tag} ${s.val}\n`).join(''));
}, (dom) => `Failed to get memory statistics for domain ${dom.name}`);

export const domainMemoryCommands: CommandDef[] = [setmem, setmaxmem, dommemstat];
