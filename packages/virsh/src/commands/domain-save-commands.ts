import { DomainSaveRestoreFlags as Save } from '@tsvirt/core';
import type { CommandDef } from '../cli/command-def.js';
import { withProgress } from './job-progress.js';
import { readCommandFile } from './domain-lifecycle-commands.js';
import { domainCommand, flagsOf } from './domain-command.js';

// Saving and restoring domain state: managed (kept by the hypervisor) or to a file.

const BYPASS_CACHE = { name: 'bypass-cache', type: 'bool', help: 'avoid file system cache when saving' } as const;
const RUNNING = { name: 'running', type: 'bool', help: 'set domain to be running on restore' } as const;
const PAUSED = { name: 'paused', type: 'bool', help: 'set domain to be paused on restore' } as const;

/** DomainSaveRestoreFlags of --bypass-cache, --running, --paused. */
const SAVE_FLAGS = [['bypass-cache', Save.BYPASS_CACHE], ['running', Save.RUNNING], ['paused', Save.PAUSED]] as const;

const managedsave = domainCommand({
  name: 'managedsave', help: 'managed save of a domain state',
  description: 'Save and destroy a running domain, so it can be restarted from\n    the same state at a later time.  When the virsh \'start\'\n    command is next run for the domain, it will automatically\n    be started from this saved state.',
  options: [BYPASS_CACHE, { ...RUNNING, help: 'set domain to be running on next start' }, { ...PAUSED, help: 'set domain to be paused on next start' }, { name: 'verbose', type: 'bool', help: 'display the progress of save' }],
}, async (ctx, dom, opts) => {
  await withProgress(ctx, dom, opts, 'Managedsave', dom.managedSave(flagsOf(opts, SAVE_FLAGS)));
  ctx.print(`\nDomain '${dom.name}' state saved by libvirt\n`);
}, (dom) => `Failed to save domain '${dom.name}' state`);

const managedsaveRemove = domainCommand({
  name: 'managedsave-remove', help: 'Remove managed save of a domain', description: 'Remove an existing managed save state file from a domain',
}, async (ctx, dom) => {
  if (!(await dom.hasManagedSaveImage())) {
    ctx.print(`Domain '${dom.name}' has no manage save image; removal skipped`);
    return;
  }
  await dom.managedSaveRemove();
  ctx.print(`Removed managedsave image for domain '${dom.name}'`);
}, (dom) => `Failed to remove managed save image for domain '${dom.name}'`);

const save = domainCommand({
  name: 'save', help: 'save a domain state to a file', description: 'Save the RAM state of a running domain.',
  options: [
    { name: 'file', type: 'string', help: 'where to save the data', required: true, positional: true },
    BYPASS_CACHE,
    { name: 'xml', type: 'string', help: 'filename containing updated XML for the target' },
    RUNNING, PAUSED,
    { name: 'verbose', type: 'bool', help: 'display the progress of save' },
  ],
}, async (ctx, dom, opts) => {
  const file = opts.get('file') as string;
  const xmlFile = opts.get('xml') as string | undefined;
  const xml = xmlFile === undefined ? undefined : await readCommandFile(ctx, xmlFile);
  if (xml === null) return false;
  await withProgress(ctx, dom, opts, 'Save', dom.save(file, xml, flagsOf(opts, SAVE_FLAGS)));
  ctx.print(`\nDomain '${dom.name}' saved to ${file}\n`);
}, (dom, opts) => `Failed to save domain '${dom.name}' to ${opts.get('file')}`);

const restore: CommandDef = {
  name: 'restore', group: 'domain', help: 'restore a domain from a saved state in a file', description: 'Restore a domain.',
  options: [
    { name: 'file', type: 'string', help: 'the state to restore', required: true, positional: true },
    { name: 'bypass-cache', type: 'bool', help: 'avoid file system cache when restoring' },
    { name: 'xml', type: 'string', help: 'filename containing updated XML for the target' },
    { ...RUNNING, help: 'restore domain into running state' }, { ...PAUSED, help: 'restore domain into paused state' },
    { name: 'reset-nvram', type: 'bool', help: 're-initialize NVRAM from its pristine template' },
  ],
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    const file = opts.get('file') as string;
    try {
      await conn.restoreDomain(file, undefined, flagsOf(opts, SAVE_FLAGS));
    } catch (e) {
      ctx.error(`Failed to restore domain from ${file}`);
      ctx.reportError(e);
      return false;
    }
    ctx.print(`Domain restored from ${file}\n`);
    return true;
  },
};

export const domainSaveCommands: CommandDef[] = [managedsave, managedsaveRemove, save, restore];
