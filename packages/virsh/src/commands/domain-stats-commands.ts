import { ConnectGetAllDomainStatsFlags as F, DomainControlState, DomainDiskErrorCode, DomainJobType, DomainStatsTypes as S, ErrorDomain, ErrorNumber, VirError, type Domain } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { domainCommand, flagsOf } from './domain-command.js';
import { lookupDomain } from './domain-lookup.js';
import { prettyCapacity } from '../output/pretty-capacity.js';

const pad = (label: string) => label.padEnd(15);

const domifstat = domainCommand({
  name: 'domifstat', group: 'monitor', help: 'get network interface stats for a domain', description: 'Get network interface stats for a running domain.',
  options: [{ name: 'interface', type: 'string', help: 'interface device specified by name or MAC Address', required: true, positional: true }],
}, async (ctx, dom, opts) => {
  const dev = opts.get('interface') as string;
  const s = await dom.interfaceStats(dev);
  const fields: [string, number][] = [
    ['rx_bytes', s.rxBytes], ['rx_packets', s.rxPackets], ['rx_errs', s.rxErrs], ['rx_drop', s.rxDrop],
    ['tx_bytes', s.txBytes], ['tx_packets', s.txPackets], ['tx_errs', s.txErrs], ['tx_drop', s.txDrop],
  ];
  ctx.print(fields.filter(([, v]) => v >= 0).map(([k, v]) => `${dev} ${k} ${v}\n`).join(''));
}, (dom, opts) => `Failed to get interface stats ${dom.name} ${opts.get('interface')}`);

const domblkstat = domainCommand({
  name: 'domblkstat', group: 'monitor', help: 'get device block stats for a domain', description: 'Get device block stats for a running domain. See man page or use --human for explanation of fields',
  options: [
    { name: 'device', type: 'string', help: 'block device', positional: true, emptyOk: true },
    { name: 'human', type: 'bool', help: 'print a more human readable output' },
  ],
}, async (ctx, dom, opts) => {
  const dev = (opts.get('device') as string | undefined) ?? '';
  const s = await dom.blockStats(dev);
  const fields: [string, string, number][] = [
    ['rd_req', 'number of read operations:', s.rdReq], ['rd_bytes', 'number of bytes read:', s.rdBytes],
    ['wr_req', 'number of write operations:', s.wrReq], ['wr_bytes', 'number of bytes written:', s.wrBytes],
    ['errs', 'error count:', s.errs],
  ];
  const human = opts.has('human');
  ctx.print((human ? `Device: ${dev}\n` : '') + fields.filter(([, , v]) => v >= 0)
    .map(([k, label, v]) => (human ? ` ${label.padEnd(28)}${v}\n` : `${dev} ${k} ${v}\n`)).join(''));
}, (dom, opts) => `Failed to get block stats ${dom.name} ${opts.get('device') ?? ''}`);

const domblkinfo = domainCommand({
  name: 'domblkinfo', group: 'monitor', help: 'domain block device size information', description: 'Get block device size info for a domain.',
  options: [
    { name: 'device', type: 'string', help: 'block device', positional: true, emptyOk: true },
    { name: 'human', type: 'bool', help: 'Human readable output' },
    { name: 'all', type: 'bool', help: 'display all block devices info' },
  ],
}, async (ctx, dom, opts) => {
  const dev = opts.get('device') as string | undefined;
  if (!dev) {
    ctx.error('command \'domblkinfo\' requires <device> option');
    return false;
  }
  const info = await dom.getBlockInfo(dev);
  ctx.print(`${pad('Capacity:')} ${info.capacity}\n${pad('Allocation:')} ${info.allocation}\n${pad('Physical:')} ${info.physical}\n`);
});

const CONTROL_STATES: Record<number, string> = {
  [DomainControlState.OK]: 'ok', [DomainControlState.JOB]: 'background job', [DomainControlState.OCCUPIED]: 'occupied', [DomainControlState.ERROR]: 'error',
};

const domcontrol = domainCommand({
  name: 'domcontrol', group: 'monitor', help: 'domain control interface state', description: 'Returns state of a control interface to the domain.',
}, async (ctx, dom) => {
  const info = await dom.getControlInfo();
  const state = CONTROL_STATES[info.state] ?? 'unknown';
  ctx.print(info.state === DomainControlState.OK ? `${state}\n` : `${state} (${(info.stateTime / 1000).toFixed(3)}s)\n`);
});

const JOB_TYPES: Record<number, string> = {
  [DomainJobType.NONE]: 'None', [DomainJobType.BOUNDED]: 'Bounded', [DomainJobType.UNBOUNDED]: 'Unbounded',
  [DomainJobType.COMPLETED]: 'Completed', [DomainJobType.FAILED]: 'Failed', [DomainJobType.CANCELLED]: 'Cancelled',
};

const domjobinfo = domainCommand({
  name: 'domjobinfo', group: 'monitor', help: 'domain job information', description: 'Returns information about jobs running on a domain.',
  options: [
    { name: 'completed', type: 'bool', help: 'return statistics of a recently completed job' },
    { name: 'keep-completed', type: 'bool', help: "don't destroy statistics of a recently completed job when reading" },
    { name: 'anystats', type: 'bool', help: 'print statistics for any kind of job (even failed ones)' },
    { name: 'rawstats', type: 'bool', help: 'print the raw data returned by libvirt' },
  ],
}, async (ctx, dom) => {
  const info = await dom.getJobInfo();
  // virsh's layout: the label in 17 columns, a value in 12
  const line = (label: string, value: string) => `${label.padEnd(17)} ${value}\n`;
  let out = line('Job type:', (JOB_TYPES[info.type] ?? 'Unknown').padEnd(12));
  if (info.type !== DomainJobType.NONE) {
    out += line('Time elapsed:', `${String(info.timeElapsed).padEnd(12)} ms`);
    if (info.type === DomainJobType.BOUNDED) out += line('Time remaining:', `${String(info.timeRemaining).padEnd(12)} ms`);
    const sizes = (what: string, processed: number, remaining: number, total: number) => (processed || remaining || total
      ? line(`${what} processed:`, prettyCapacity(processed, 3)) + line(`${what} remaining:`, prettyCapacity(remaining, 3)) + line(`${what} total:`, prettyCapacity(total, 3))
      : '');
    out += sizes('Data', info.dataProcessed, info.dataRemaining, info.dataTotal);
    out += sizes('Memory', info.memProcessed, info.memRemaining, info.memTotal);
    out += sizes('File', info.fileProcessed, info.fileRemaining, info.fileTotal);
  }
  ctx.print(out);
});

/** domifaddr --source: libvirt's VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_*. */
const ADDRESS_SOURCES: Record<string, number> = { lease: 0, agent: 1, arp: 2 };

const domifaddr = domainCommand({
  name: 'domifaddr', group: 'monitor', help: "Get network interfaces' addresses for a running domain", description: "Get network interfaces' addresses for a running domain",
  options: [
    { name: 'interface', type: 'string', help: 'network interface name' },
    { name: 'full', type: 'bool', help: 'always display names and MACs of interfaces' },
    { name: 'source', type: 'string', help: "address source: 'lease', 'agent', or 'arp'" },
  ],
}, async (ctx, dom, opts) => {
  const source = opts.get('source') as string | undefined;
  if (source !== undefined && !(source in ADDRESS_SOURCES)) {
    ctx.error(`Unknown data source '${source}'`);
    return false;
  }
  const ifaces = await dom.interfaceAddresses(source === undefined ? 0 : ADDRESS_SOURCES[source]!);
  const only = opts.get('interface') as string | undefined;
  const row = (name: string, mac: string, proto: string, addr: string) => ` ${name.padEnd(10)} ${mac.padEnd(17)}    ${proto.padEnd(12)} ${addr}\n`;
  let out = ` ${'Name'.padEnd(10)} ${'MAC address'.padEnd(20)} ${'Protocol'.padEnd(8)}     Address\n${'-'.repeat(79)}\n`;
  for (const iface of ifaces) {
    if (only !== undefined && only !== iface.name) continue;
    if (!iface.addrs.length) out += row(iface.name, iface.hwaddr ?? '', 'N/A', 'N/A');
    iface.addrs.forEach((a, j) => {
      const first = j === 0 || opts.has('full');
      out += row(first ? iface.name : '-', first ? iface.hwaddr ?? '' : '-', a.type === 1 ? 'ipv6' : 'ipv4', `${a.addr}/${a.prefix}`);
    });
  }
  ctx.print(`${out}\n`);
}, () => 'Failed to query for interfaces addresses');

const domjobabort = domainCommand({
  name: 'domjobabort', group: 'domain', help: 'abort active domain job', description: 'Aborts the currently running domain job',
  options: [{ name: 'postcopy', type: 'bool', help: 'interrupt post-copy migration' }],
}, async (_ctx, dom, opts) => {
  // --postcopy is virDomainAbortJobFlags, for a migration in post-copy mode, which tsvirt does not migrate in
  if (opts.has('postcopy')) throw VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.DOMAIN, 'virDomainAbortJobFlags');
  await dom.abortJob();
});

const domtime = domainCommand({
  name: 'domtime', group: 'monitor', help: 'domain time', description: 'Gets or sets the domain\'s system time',
  // Setting the time (--now, --sync, --time) needs virDomainSetTime, which tsvirt's API does not have yet.
  options: [{ name: 'pretty', type: 'bool', help: 'print domain\'s time in human readable form' }],
}, async (ctx, dom, opts) => {
  const t = await dom.getTime();
  ctx.print(`Time: ${opts.has('pretty') ? localTimeText(t.seconds) : t.seconds}`);
});

const two = (n: number) => String(n).padStart(2, '0');
/** Seconds since the epoch as virsh prints them: local time, "1989-11-17 15:32:00". */
function localTimeText(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const DISK_ERRORS: Record<number, string> = {
  [DomainDiskErrorCode.NONE]: 'no error', [DomainDiskErrorCode.UNSPEC]: 'unspecified error', [DomainDiskErrorCode.NO_SPACE]: 'no space',
};

const domblkerror = domainCommand({
  name: 'domblkerror', group: 'monitor', help: 'Show errors on block devices', description: 'Show block device errors',
}, async (ctx, dom) => {
  const errors = await dom.getDiskErrors();
  ctx.print(errors.length ? errors.map((e) => `${e.disk}: ${DISK_ERRORS[e.error] ?? 'unknown error'}\n`).join('') : 'No errors found\n');
});

const STATS_GROUPS: [string, number, string][] = [
  ['state', S.STATE, 'report domain state'], ['cpu-total', S.CPU_TOTAL, 'report domain physical cpu usage'],
  ['balloon', S.BALLOON, 'report domain balloon statistics'], ['vcpu', S.VCPU, 'report domain virtual cpu information'],
  ['interface', S.INTERFACE, 'report domain network interface information'], ['block', S.BLOCK, 'report domain block device statistics'],
  ['perf', S.PERF, 'report domain perf event statistics'], ['iothread', S.IOTHREAD, 'report domain IOThread information'],
  ['memory', S.MEMORY, 'report domain memory usage'], ['dirtyrate', S.DIRTYRATE, 'report domain dirty rate information'],
  ['vm', S.VM, 'report hypervisor-specific statistics'],
];
const STATS_FILTERS: [string, number, string][] = [
  ['list-active', F.ACTIVE, 'list only active domains'], ['list-inactive', F.INACTIVE, 'list only inactive domains'],
  ['list-persistent', F.PERSISTENT, 'list only persistent domains'], ['list-transient', F.TRANSIENT, 'list only transient domains'],
  ['list-running', F.RUNNING, 'list only running domains'], ['list-paused', F.PAUSED, 'list only paused domains'],
  ['list-shutoff', F.SHUTOFF, 'list only shutoff domains'], ['list-other', F.OTHER, 'list only domains in other states'],
];
/** The flags after the filters, in libvirt's order: --raw (output only) comes first. */
const STATS_MODIFIERS: [string, number, string][] = [
  ['enforce', F.ENFORCE_STATS, 'enforce requested stats parameters'], ['backing', F.BACKING, 'add backing chain information to block stats'],
  ['nowait', F.NOWAIT, 'report only stats that are accessible instantly'],
];

/** Statistics of the named domains, or of all that the --list filters select. */
const domstats: CommandDef = {
  name: 'domstats', group: 'monitor', help: 'get statistics about one or multiple domains',
  description: 'Gets statistics about one or more (or all) domains',
  options: [
    ...[...STATS_GROUPS, ...STATS_FILTERS].map(([name, , help]) => ({ name, type: 'bool' as const, help })),
    { name: 'raw', type: 'bool', help: 'do not pretty-print the fields' },
    ...STATS_MODIFIERS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
    { name: 'domain', type: 'argv', help: 'list of domains to get stats for', positional: true },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const named: Domain[] = [];
    for (const name of (opts.get('domain') as string[] | undefined) ?? []) {
      const dom = await lookupDomain(ctx, conn, name);
      if (!dom) return false;
      named.push(dom);
    }
    try {
      const records = await conn.getAllDomainStats(flagsOf(opts, STATS_GROUPS), (flagsOf(opts, STATS_FILTERS) | flagsOf(opts, STATS_MODIFIERS)) >>> 0);
      const byUuid = new Map(records.map((r) => [r.domain, r]));
      const names = new Map((await conn.listAllDomains()).map((d) => [d.uuid, d.name]));
      const chosen = named.length ? named.flatMap((d) => byUuid.get(d.uuid) ?? []) : records;
      ctx.print(chosen.map((r) => `Domain: '${names.get(r.domain) ?? r.domain}'\n`
        + Object.entries(r.params).map(([k, v]) => `  ${k}=${v}\n`).join('')).join('\n'));
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

export const domainStatsCommands: CommandDef[] = [domifstat, domblkstat, domblkinfo, domblkerror, domcontrol, domjobinfo, domjobabort, domifaddr, domtime, domstats];
