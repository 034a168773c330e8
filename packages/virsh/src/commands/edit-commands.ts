// The editor commands: edit, net-edit, pool-edit, snapshot-edit (libvirt's, with its words).

import { DomainDefineFlags, ErrorNumber, VirError, DomainSnapshotCreateFlags as Create, DomainSnapshotDeleteFlags, DomainSnapshotXMLFlags, DomainXMLFlags, NetworkXMLFlags, StorageXMLFlags, type Connect, type Domain, type DomainSnapshot } from '@tsvirt/core';
import type { VirshContext } from '../virsh-context.js';
import { defineCommand, type CommandDef, type OptionValues } from '../cli/command-def.js';
import { domainCommand } from './domain-command.js';
import { findNetwork } from './network-commands.js';
import { findPool } from './pool-lookup.js';
import { namedSnapshot } from './snapshot-commands.js';
import { editXml } from './xml-edit.js';

/**
 * The inactive definition, or the live one where the driver does not take the flag
 * (an INVALID_ARG), as libvirt's virsh falls back for networks and pools.
 */
async function inactiveXml(get: (flags: number) => Promise<string>, inactive: number): Promise<string> {
  try {
    return await get(inactive);
  } catch (e) {
    if (e instanceof VirError && e.code === ErrorNumber.INVALID_ARG) return get(0);
    throw e;
  }
}

const edit = domainCommand({
  name: 'edit', help: 'edit XML configuration for a domain', description: 'Edit the XML configuration for a domain.',
  options: [{ name: 'skip-validate', type: 'bool', help: 'skip validation of the XML against the schema' }],
}, async (ctx, dom, opts) => {
  const conn = (await ctx.connection())!;
  const validate = opts.has('skip-validate') ? 0 : DomainDefineFlags.VALIDATE;
  return editXml(ctx, {
    dump: () => dom.getXMLDesc(DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE),
    define: async (xml, relaxed) => (await conn.defineDomainXML(xml, relaxed ? 0 : validate)).name,
    relaxable: true,
    unchanged: `Domain '${dom.name}' XML configuration not changed.\n`,
    edited: (name) => `Domain '${name}' XML configuration edited.\n`,
    failedEdited: "Domain '(null)' XML configuration edited.\n",
  });
});

/** A network or pool to edit: what the command calls it, how it is found, read and defined. */
interface NamedObjectEditing<T extends { name: string; getXMLDesc(flags?: number): Promise<string> }> {
  name: string; group: string; help: string; description: string; option: string; optionHelp: string;
  /** the word before the name in virsh's lines */
  kind: string;
  inactive: number;
  find: (ctx: VirshContext, opts: OptionValues) => Promise<T | null>;
  define: (conn: Connect, xml: string) => Promise<{ name: string }>;
}

function namedObjectEdit<T extends { name: string; getXMLDesc(flags?: number): Promise<string> }>(e: NamedObjectEditing<T>): CommandDef {
  return defineCommand({
    name: e.name, group: e.group, help: e.help, description: e.description,
    options: [{ name: e.option, type: 'string', help: e.optionHelp, required: true, positional: true }],
    async run(ctx, opts) {
      const obj = await e.find(ctx, opts);
      if (!obj) return false;
      const conn = (await ctx.connection())!;
      return editXml(ctx, {
        dump: () => inactiveXml((f) => obj.getXMLDesc(f), e.inactive),
        define: async (xml) => (await e.define(conn, xml)).name,
        relaxable: false,
        unchanged: `${e.kind} ${obj.name} XML configuration not changed.\n`,
        edited: (name) => `${e.kind} ${name} XML configuration edited.\n`,
        failedEdited: `${e.kind} (null) XML configuration edited.\n`,
      });
    },
  });
}

const netEdit = namedObjectEdit({
  name: 'net-edit', group: 'network', help: 'edit XML configuration for a network', description: 'Edit the XML configuration for a network.',
  option: 'network', optionHelp: 'network name or uuid', kind: 'Network', inactive: NetworkXMLFlags.INACTIVE,
  find: findNetwork, define: (conn, xml) => conn.defineNetworkXML(xml),
});

const poolEdit = namedObjectEdit({
  name: 'pool-edit', group: 'pool', help: 'edit XML configuration for a storage pool', description: 'Edit the XML configuration for a storage pool.',
  option: 'pool', optionHelp: 'pool name or uuid', kind: 'Pool', inactive: StorageXMLFlags.INACTIVE,
  find: findPool, define: (conn, xml) => conn.defineStoragePoolXML(xml, 0),
});

/**
 * snapshot-edit: the snapshot redefined from the edited XML; a new name is a copy
 * (--clone), or with --rename the old one's metadata is dropped. (Where the redefinition
 * fails and there is no terminal to ask, libvirt's virsh crashes; here it fails.)
 */
const snapshotEdit = domainCommand({
  name: 'snapshot-edit', group: 'snapshot', help: 'edit XML for a snapshot', description: 'Edit the domain snapshot XML for a named snapshot',
  options: [
    { name: 'snapshotname', type: 'string', help: 'snapshot name', positional: true },
    { name: 'current', type: 'bool', help: 'also set edited snapshot as current' },
    { name: 'rename', type: 'bool', help: 'allow renaming an existing snapshot' },
    { name: 'clone', type: 'bool', help: 'allow cloning to new name' },
  ],
}, async (ctx, dom, opts) => {
  if (opts.has('rename') && opts.has('clone')) {
    ctx.error('Options --rename and --clone are mutually exclusive');
    return false;
  }
  const snap = await namedSnapshot(ctx, dom, opts, false);
  if (!snap) return false;
  const flags = Create.REDEFINE | (opts.has('current') && opts.has('snapshotname') ? Create.CURRENT : 0);
  let renamed: string | null = null;
  const ok = await editXml(ctx, {
    dump: () => snap.getXMLDesc(DomainSnapshotXMLFlags.SECURE),
    define: async (xml) => {
      const made = await dom.snapshotCreateXML(xml, flags | (xml.includes('<state>disk-snapshot</state>') ? Create.DISK_ONLY : 0));
      if (made.name !== snap.name) renamed = made.name;
      return made.name;
    },
    relaxable: false,
    unchanged: `Snapshot ${snap.name} XML configuration not changed.\n`,
    edited: (name) => (name === snap.name ? `Snapshot ${name} edited.\n` : opts.has('clone') ? `Snapshot ${snap.name} cloned to ${name}.\n` : ''),
    failedEdited: null,
  });
  if (ok && (renamed === null || opts.has('clone') || await dropRenamed(ctx, dom, snap, renamed, opts.has('rename')))) return true;
  ctx.error(`Failed to update ${snap.name}`);
  return false;
});

/** A new name without --clone: the old snapshot's metadata goes with --rename, else the new one's (and that is an error). */
async function dropRenamed(ctx: VirshContext, dom: Domain, old: DomainSnapshot, renamed: string, rename: boolean): Promise<boolean> {
  try {
    await (rename ? old : await dom.snapshotLookupByName(renamed)).delete(DomainSnapshotDeleteFlags.METADATA_ONLY);
  } catch (e) {
    ctx.reportError(e);
    ctx.error(`Failed to clean up ${rename ? old.name : renamed}`);
    return false;
  }
  if (!rename) ctx.error(`Must use --rename or --clone to change ${old.name} to ${renamed}`);
  return rename;
}

export const editCommands: CommandDef[] = [edit, netEdit, poolEdit, snapshotEdit];
