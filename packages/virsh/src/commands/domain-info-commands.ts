import { ConnectListAllDomainsFlags as L, DomainState, DomainXMLFlags, type Domain } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import { reasonText, stateText } from '../output/domain-state-text.js';
import { commandDomain, DOMAIN_OPTION } from './domain-lookup.js';

const LIST_FILTERS: [string, number, string][] = [
  ['inactive', L.INACTIVE, 'list inactive domains'],
  ['all', L.INACTIVE | L.ACTIVE, 'list inactive & active domains'],
  ['transient', L.TRANSIENT, 'list transient domains'],
  ['persistent', L.PERSISTENT, 'list persistent domains'],
  ['with-snapshot', L.HAS_SNAPSHOT, 'list domains with existing snapshot'],
  ['without-snapshot', L.NO_SNAPSHOT, 'list domains without a snapshot'],
  ['with-checkpoint', L.HAS_CHECKPOINT, 'list domains with existing checkpoint'],
  ['without-checkpoint', L.NO_CHECKPOINT, 'list domains without a checkpoint'],
  ['state-running', L.RUNNING, 'list domains in running state'],
  ['state-paused', L.PAUSED, 'list domains in paused state'],
  ['state-shutoff', L.SHUTOFF, 'list domains in shutoff state'],
  ['state-other', L.OTHER, 'list domains in other states'],
  ['autostart', L.AUTOSTART, 'list domains with autostart enabled'],
  ['no-autostart', L.NO_AUTOSTART, 'list domains with autostart disabled'],
  ['with-managed-save', L.MANAGEDSAVE, 'list domains with managed save state'],
  ['without-managed-save', L.NO_MANAGEDSAVE, 'list domains without managed save'],
];

/** virsh's order: running domains by id, then the others by name. */
function sortForList(doms: Domain[]): Domain[] {
  return doms.sort((a, b) => {
    if (a.id !== -1 && b.id !== -1) return a.id - b.id;
    if (a.id !== -1) return -1;
    if (b.id !== -1) return 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

const list: CommandDef = {
  name: 'list', group: 'domain', help: 'list domains', description: 'Returns list of domains.',
  options: [
    ...LIST_FILTERS.map(([name, , help]) => ({ name, type: 'bool' as const, help })),
    { name: 'uuid', type: 'bool', help: "list uuid's only" },
    { name: 'name', type: 'bool', help: 'list domain names only' },
    { name: 'id', type: 'bool', help: 'list domain IDs only' },
    { name: 'table', type: 'bool', help: 'list table (default)' },
    { name: 'managed-save', type: 'bool', help: 'mark inactive domains with managed save state' },
    { name: 'title', type: 'bool', help: 'show domain title' },
  ],
  async run(ctx, opts) {
    // the table is the default layout; asking for it beside another is a contradiction
    for (const other of ['name', 'uuid', 'id']) {
      if (opts.has('table') && opts.has(other)) {
        ctx.error(`Options --table and --${other} are mutually exclusive`);
        return false;
      }
    }
    const conn = await ctx.connection();
    if (!conn) return false;
    let flags = 0;
    for (const [name, bits] of LIST_FILTERS) if (opts.has(name)) flags |= bits;
    if (!(flags & (L.ACTIVE | L.INACTIVE))) flags |= L.ACTIVE;
    // asking for every state in the active/inactive pair is asking for no filter there
    if ((flags & (L.ACTIVE | L.INACTIVE)) === (L.ACTIVE | L.INACTIVE)) flags &= ~(L.ACTIVE | L.INACTIVE);
    let doms: Domain[];
    try {
      doms = sortForList(await conn.listAllDomains(flags));
    } catch (e) {
      ctx.error('Failed to list domains');
      ctx.reportError(e);
      return false;
    }
    const optUuid = opts.has('uuid');
    const optName = opts.has('name');
    const optId = opts.has('id');
    if (optUuid || optName || optId) {
      let out = '';
      for (const d of doms) {
        if (optId && d.id === -1) continue;
        const cols: string[] = [];
        if (optId) cols.push(String(d.id));
        if (optUuid) cols.push(d.uuid);
        if (optName) cols.push(d.name);
        out += `${cols.join(' ')}\n`;
      }
      ctx.print(out);
      return true;
    }
    const title = opts.has('title');
    const managed = opts.has('managed-save');
    const rows: string[][] = [];
    for (const d of doms) {
      const info = await d.getState();
      let state = stateText(info.state);
      if (managed && info.state === DomainState.SHUTOFF && (await d.hasManagedSaveImage())) state = 'saved';
      const row = [d.id === -1 ? '-' : String(d.id), d.name, state];
      if (title) row.push('');
      rows.push(row);
    }
    ctx.print(formatTable(['Id', 'Name', 'State', ...(title ? ['Title'] : [])], rows, ctx.options.quiet));
    return true;
  },
};

const pad = (label: string) => label.padEnd(15);

const dominfo: CommandDef = {
  name: 'dominfo', group: 'domain', help: 'domain information', description: 'Returns basic information about the domain.',
  options: [DOMAIN_OPTION],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts);
    if (!dom) return false;
    let s = `${pad('Id:')} ${dom.id === -1 ? '-' : dom.id}\n${pad('Name:')} ${dom.name}\n${pad('UUID:')} ${dom.uuid}\n`;
    const tryGet = async <T>(f: () => Promise<T>): Promise<T | null> => f().catch(() => null);
    const osType = await tryGet(() => dom.getOSType());
    if (osType !== null) s += `${pad('OS Type:')} ${osType}\n`;
    const info = await tryGet(() => dom.getInfo());
    if (info) {
      s += `${pad('State:')} ${stateText(info.state)}\n${pad('CPU(s):')} ${info.nrVirtCpu}\n`;
      if (info.cpuTime !== 0) s += `${pad('CPU time:')} ${(info.cpuTime / 1e9).toFixed(1)}s\n`;
      s += `${pad('Max memory:')} ${info.maxMem === 0 ? 'no limit' : `${info.maxMem} KiB`}\n${pad('Used memory:')} ${info.memory} KiB\n`;
    }
    const persistent = await tryGet(() => dom.isPersistent());
    s += `${pad('Persistent:')} ${persistent === null ? 'unknown' : persistent ? 'yes' : 'no'}\n`;
    const autostart = await tryGet(() => dom.getAutostart());
    if (autostart !== null) s += `${pad('Autostart:')} ${autostart ? 'enable' : 'disable'}\n`;
    const managed = await tryGet(() => dom.hasManagedSaveImage());
    if (managed !== null) s += `${pad('Managed save:')} ${managed ? 'yes' : 'no'}\n`;
    const model = await tryGet(() => dom.connection.getSecurityModel());
    if (model && model.model) {
      s += `${pad('Security model:')} ${model.model}\n${pad('Security DOI:')} ${model.doi}\n`;
      const label = await tryGet(() => dom.getSecurityLabel());
      if (label && label.label) s += `${pad('Security label:')} ${label.label} (${label.enforcing ? 'enforcing' : 'permissive'})\n`;
    }
    // the first message beside its label, the others aligned under it
    const messages = await tryGet(() => dom.getMessages());
    messages?.forEach((m, i) => { s += `${pad(i === 0 ? 'Messages:' : '')} ${m}\n`; });
    ctx.print(s);
    return true;
  },
};

const domstate: CommandDef = {
  name: 'domstate', group: 'domain', help: 'domain state', description: 'Returns state about a domain.',
  options: [DOMAIN_OPTION, { name: 'reason', type: 'bool', help: 'also print reason for the state' }],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts);
    if (!dom) return false;
    try {
      const { state, reason } = await dom.getState();
      ctx.print(opts.has('reason') ? `${stateText(state)} (${reasonText(state, reason)})\n` : `${stateText(state)}\n`);
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

const domid: CommandDef = {
  name: 'domid', group: 'domain', help: 'convert a domain name or UUID to domain id', description: '',
  options: [{ ...DOMAIN_OPTION, help: 'domain name or uuid' }],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts, 'domain', { id: false, uuid: true, name: true });
    if (!dom) return false;
    ctx.print(`${dom.id === -1 ? '-' : dom.id}\n`);
    return true;
  },
};

const domuuid: CommandDef = {
  name: 'domuuid', group: 'domain', help: 'convert a domain name or id to domain UUID', description: '',
  options: [{ ...DOMAIN_OPTION, help: 'domain id or name' }],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts, 'domain', { id: true, uuid: false, name: true });
    if (!dom) return false;
    ctx.print(`${dom.uuid}\n`);
    return true;
  },
};

const domname: CommandDef = {
  name: 'domname', group: 'domain', help: 'convert a domain id or UUID to domain name', description: '',
  options: [{ ...DOMAIN_OPTION, help: 'domain id or uuid' }],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts, 'domain', { id: true, uuid: true, name: false });
    if (!dom) return false;
    ctx.print(`${dom.name}\n`);
    return true;
  },
};

const dumpxml: CommandDef = {
  name: 'dumpxml', group: 'domain', help: 'domain information in XML', description: 'Output the domain information as an XML dump to stdout.',
  options: [
    DOMAIN_OPTION,
    { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
    { name: 'security-info', type: 'bool', help: 'include security sensitive information in XML dump' },
    { name: 'update-cpu', type: 'bool', help: 'update guest CPU according to host CPU' },
    { name: 'migratable', type: 'bool', help: 'provide XML suitable for migrations' },
  ],
  async run(ctx, opts) {
    const dom = await commandDomain(ctx, opts);
    if (!dom) return false;
    let flags = 0;
    if (opts.has('inactive')) flags |= DomainXMLFlags.INACTIVE;
    if (opts.has('security-info')) flags |= DomainXMLFlags.SECURE;
    if (opts.has('update-cpu')) flags |= DomainXMLFlags.UPDATE_CPU;
    if (opts.has('migratable')) flags |= DomainXMLFlags.MIGRATABLE;
    try {
      ctx.print(await dom.getXMLDesc(flags));
      return true;
    } catch (e) {
      ctx.reportError(e);
      return false;
    }
  },
};

export const domainInfoCommands: CommandDef[] = [list, dominfo, domstate, domid, domuuid, domname, dumpxml];
