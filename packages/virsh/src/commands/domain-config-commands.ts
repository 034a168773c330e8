import { DomainMetadataType as Meta } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { domainCommand, impactFlags, impactOptions } from './domain-command.js';

// Commands that read or change a domain's settings: autostart, name, metadata, scheduler.

const autostart = domainCommand({
  name: 'autostart', help: 'autostart a domain', description: 'Configure a domain to be automatically started at boot.',
  options: [{ name: 'disable', type: 'bool', help: 'disable autostarting' }],
}, async (ctx, dom, opts) => {
  const enable = !opts.has('disable');
  await dom.setAutostart(enable);
  ctx.print(enable ? `Domain '${dom.name}' marked as autostarted\n` : `Domain '${dom.name}' unmarked as autostarted\n`);
}, (dom, opts) => (opts.has('disable') ? `Failed to unmark domain '${dom.name}' as autostarted` : `Failed to mark domain '${dom.name}' as autostarted`));

const domrename = domainCommand({
  name: 'domrename', help: 'rename a domain', description: 'Rename an inactive domain.',
  byNameOrUuid: true,
  options: [{ name: 'new-name', type: 'string', help: 'new domain name', required: true, positional: true }],
}, async (ctx, dom, opts) => {
  await dom.rename(opts.get('new-name') as string);
  ctx.print('Domain successfully renamed\n');
});

/** domhostname --source: libvirt's VIR_DOMAIN_GET_HOSTNAME_LEASE and _AGENT. */
const HOSTNAME_SOURCES: Record<string, number> = { lease: 1, agent: 2 };

const domhostname = domainCommand({
  name: 'domhostname', help: "print the domain's hostname", description: '',
  options: [{ name: 'source', type: 'string', help: 'address source: \'lease\' or \'agent\'' }],
}, async (ctx, dom, opts) => {
  const source = opts.get('source') as string | undefined;
  if (source !== undefined && !(source in HOSTNAME_SOURCES)) {
    ctx.error(`Unknown data source '${source}'`);
    return false;
  }
  ctx.print(`${await dom.getHostname(source === undefined ? 0 : HOSTNAME_SOURCES[source])}\n`);
}, () => 'failed to get hostname');

const metadata = domainCommand({
  name: 'metadata', help: "show or set domain's custom XML metadata", description: 'Shows or modifies the XML metadata of a domain.',
  options: [
    { name: 'uri', type: 'string', help: 'URI of the namespace', required: true, positional: true },
    ...impactOptions({ live: 'modify/get running state', config: 'modify/get persistent configuration', current: 'modify/get current state configuration' }, ['live', 'config', 'current']),
    { name: 'edit', type: 'bool', help: 'use an editor to change the metadata' },
    { name: 'key', type: 'string', help: 'key to be used as a namespace identifier' },
    { name: 'set', type: 'string', help: 'new metadata to set' },
    { name: 'remove', type: 'bool', help: 'remove the metadata corresponding to an uri' },
  ],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  const uri = opts.get('uri') as string;
  const key = opts.get('key') as string | undefined;
  const set = opts.get('set') as string | undefined;
  if ((set !== undefined || opts.has('remove')) && opts.has('edit')) {
    ctx.error('Options --edit and --set are mutually exclusive');
    return false;
  }
  if (set !== undefined || opts.has('remove')) {
    if (set !== undefined && key === undefined) {
      ctx.error('namespace key is required when modifying metadata');
      return false;
    }
    await dom.setMetadata(Meta.ELEMENT, set, key, uri, flags);
    ctx.print(opts.has('remove') ? 'Metadata removed\n' : 'Metadata modified\n');
    return;
  }
  ctx.print(`${await dom.getMetadata(Meta.ELEMENT, uri, flags)}\n`);
});

const schedinfo = domainCommand({
  name: 'schedinfo', help: 'show/set scheduler parameters', description: 'Show/Set scheduler parameters.',
  options: [
    { name: 'weight', type: 'int', help: 'weight for XEN_CREDIT' },
    { name: 'cap', type: 'int', help: 'cap for XEN_CREDIT' },
    ...impactOptions({ current: 'get/set current scheduler info', config: 'get/set value to be used on next boot', live: 'get/set value from running domain' }, ['current', 'config', 'live']),
    { name: 'set', type: 'argv', help: 'parameter=value', positional: true },
  ],
}, async (ctx, dom, opts) => {
  const flags = impactFlags(ctx, opts);
  if (flags === null) return false;
  // as virsh: a scheduler the driver cannot name is "Unknown", then the driver's reason
  const type = await dom.getSchedulerType().then((t) => t.type, (e: unknown) => {
    ctx.print(`${'Scheduler'.padEnd(15)}: Unknown\n`);
    throw e;
  });
  ctx.print(`${'Scheduler'.padEnd(15)}: ${type}\n`);
  const wanted: Record<string, number> = {};
  for (const name of ['weight', 'cap']) if (opts.has(name)) wanted[name] = Number(opts.get(name));
  for (const pair of (opts.get('set') as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      ctx.error(`Invalid syntax for --set, expecting name=value`);
      return false;
    }
    wanted[pair.slice(0, eq)] = Number(pair.slice(eq + 1));
  }
  if (Object.keys(wanted).length) await dom.setSchedulerParameters(wanted, flags);
  const params = await dom.getSchedulerParameters(flags);
  ctx.print(Object.entries(params).map(([k, v]) => `${k.padEnd(15)}: ${v}\n`).join(''));
});

export const domainConfigCommands: CommandDef[] = [autostart, domrename, domhostname, metadata, schedinfo];
