import { readFileSync } from 'node:fs';
import { DomainCreateFlags, DomainDestroyFlags, DomainUndefineFlags, DomainShutdownFlags, ErrorDomain, ErrorNumber, VirError, type Connect, type Domain } from '@tsvirt/core';
import { runConsole } from './console-commands.js';
import { textOfBytes } from '@tsvirt/core/xml';
import { flagsOf } from './domain-command.js';
import type { CommandDef, OptionValues } from '../cli/command-def.js';
import type { VirshContext } from '../virsh-context.js';
import { commandDomain, DOMAIN_OPTION } from './domain-lookup.js';

const FILE_OPTION = { name: 'file', type: 'string', help: 'file containing an XML domain description', required: true, positional: true } as const;

/** Read a file a command names; a failure is virsh's "Failed to open file" error. */
export async function readCommandFile(ctx: VirshContext, path: string): Promise<string | null> {
  // bytes that are not UTF-8 are kept (escaped) for the parser to refuse, as libvirt's does
  const bytes = readCommandFileBytes(ctx, path);
  return bytes === null ? null : textOfBytes(bytes);
}

/** A file's bytes as a command reads them, or null after virsh's "Failed to open file" (its words for each reason). */
export function readCommandFileBytes(ctx: VirshContext, path: string): Buffer | null {
  try {
    // synchronous on purpose: node:fs/promises costs start-up time, and virsh reads one file at a time
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message;
    ctx.error(`Failed to open file '${path}': ${reason}`);
    return null;
  }
}

/** The start flags that create's and start's options ask for. */
const createFlagsOf = (opts: OptionValues) => flagsOf(opts, [
  ['paused', DomainCreateFlags.START_PAUSED], ['autodestroy', DomainCreateFlags.START_AUTODESTROY],
  ['bypass-cache', DomainCreateFlags.START_BYPASS_CACHE], ['force-boot', DomainCreateFlags.START_FORCE_BOOT],
  ['validate', DomainCreateFlags.START_VALIDATE], ['reset-nvram', DomainCreateFlags.START_RESET_NVRAM],
]);

const CONSOLE_OPTION = { name: 'console', type: 'bool', help: 'attach to console after creation' } as const;
const PASS_FDS_OPTION = { name: 'pass-fds', type: 'string', help: 'pass file descriptors N,M,... to the guest', emptyOk: true } as const;

/**
 * The descriptors of --pass-fds (N,M,...), or null (reported) when one is not a number.
 * Passing them needs the API's ...WithFiles calls, which tsvirt does not have: any
 * descriptor is then libvirt's error for a call the driver does not support.
 */
function passFds(ctx: VirshContext, opts: OptionValues): number[] | null {
  const list = opts.get('pass-fds') as string | undefined;
  if (!list) return [];
  const fds: number[] = [];
  for (const word of list.split(',')) {
    if (!/^\d+$/.test(word) || !Number.isSafeInteger(Number(word))) {
      ctx.error(`Unable to parse FD number '${word}'`);
      return null;
    }
    fds.push(Number(word));
  }
  return fds;
}

const withFilesUnsupported = (fn: string) => VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.DOMAIN, fn);

/** define and create: a domain from the XML file the command names, and virsh's words for what happened. */
async function fromXmlFile(
  ctx: VirshContext, opts: OptionValues, verb: string, done: string,
  make: (conn: Connect, xml: string) => Promise<Domain>,
): Promise<boolean> {
  const file = opts.get('file') as string;
  const conn = await ctx.connection();
  if (!conn) return false;
  const xml = await readCommandFile(ctx, file);
  if (xml === null) return false;
  const fds = passFds(ctx, opts);
  if (fds === null) return false;
  try {
    if (fds.length) throw withFilesUnsupported('virDomainCreateXMLWithFiles');
    const dom = await make(conn, xml);
    ctx.print(`Domain '${dom.name}' ${done} from ${file}\n`);
    if (opts.has('console')) return runConsole(ctx, dom, undefined, 0);
    return true;
  } catch (e) {
    ctx.error(`Failed to ${verb} domain from ${file}`);
    ctx.reportError(e);
    return false;
  }
}

/** shutdown's and reboot's --mode words and their flag bits (the same in both enums). */
const MODES: Record<string, number> = {
  acpi: DomainShutdownFlags.ACPI_POWER_BTN, agent: DomainShutdownFlags.GUEST_AGENT, initctl: DomainShutdownFlags.INITCTL,
  signal: DomainShutdownFlags.SIGNAL, paravirt: DomainShutdownFlags.PARAVIRT,
};

/** The flags of a comma-separated --mode; null (reported) for a word virsh does not know. */
function modeFlags(ctx: VirshContext, opts: OptionValues): number | null {
  const mode = opts.get('mode') as string | undefined;
  let flags = 0;
  for (const word of mode === undefined ? [] : mode.split(',')) {
    if (!(word in MODES)) {
      ctx.error(`Unknown mode ${word} value, expecting 'acpi', 'agent', 'initctl', 'signal', or 'paravirt'`);
      return null;
    }
    flags |= MODES[word];
  }
  return flags;
}

const MODE_OPTION = { name: 'mode', type: 'string', help: 'shutdown mode: acpi|agent|initctl|signal|paravirt' } as const;

/**
 * A command that takes a domain, calls one API on it with the flags its options ask for
 * (checked before the domain is looked up), and says what happened.
 */
function domainAction(
  name: string, help: string, description: string,
  act: (dom: Domain, flags: number) => Promise<void>,
  done: string, failed: string,
  extra: CommandDef['options'] = [],
  flagsOf: (ctx: VirshContext, opts: OptionValues) => number | null = () => 0,
): CommandDef {
  return {
    name, group: 'domain', help, description, options: [DOMAIN_OPTION, ...extra],
    async run(ctx, opts) {
      const flags = flagsOf(ctx, opts);
      if (flags === null) return false;
      const dom = await commandDomain(ctx, opts);
      if (!dom) return false;
      try {
        await act(dom, flags);
      } catch (e) {
        ctx.error(failed.replace('%s', dom.name));
        ctx.reportError(e);
        return false;
      }
      ctx.print(`${done.replace('%s', dom.name)}\n`);
      return true;
    },
  };
}

export const lifecycleCommands: CommandDef[] = [
  {
    name: 'define', group: 'domain', help: "define (but don't start) a domain from an XML file", description: 'Define a domain.',
    options: [FILE_OPTION, { name: 'validate', type: 'bool', help: 'validate the XML against the schema' }],
    run: (ctx, opts) => fromXmlFile(ctx, opts, 'define', 'defined', (conn, xml) => conn.defineDomainXML(xml, opts.has('validate') ? 1 : 0)),
  },
  {
    name: 'create', group: 'domain', help: 'create a domain from an XML file', description: 'Create a domain.',
    options: [
      FILE_OPTION,
      CONSOLE_OPTION,
      { name: 'paused', type: 'bool', help: 'leave the guest paused after creation' },
      { name: 'autodestroy', type: 'bool', help: 'automatically destroy the guest when virsh disconnects' },
      PASS_FDS_OPTION,
      { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
      { name: 'reset-nvram', type: 'bool', help: 're-initialize NVRAM from its pristine template' },
    ],
    run: (ctx, opts) => fromXmlFile(ctx, opts, 'create', 'created', (conn, xml) => conn.createDomainXML(xml, createFlagsOf(opts))),
  },
  {
    name: 'start', group: 'domain', help: 'start a (previously defined) inactive domain',
    description: 'Start a domain, either from the last managedsave\n    state, or via a fresh boot if no managedsave state\n    is present.',
    options: [
      { ...DOMAIN_OPTION, help: 'name of the inactive domain' },
      CONSOLE_OPTION,
      { name: 'paused', type: 'bool', help: 'leave the guest paused after creation' },
      { name: 'autodestroy', type: 'bool', help: 'automatically destroy the guest when virsh disconnects' },
      { name: 'bypass-cache', type: 'bool', help: 'avoid file system cache when loading' },
      { name: 'force-boot', type: 'bool', help: 'force fresh boot by discarding any managed save' },
      PASS_FDS_OPTION,
      { name: 'reset-nvram', type: 'bool', help: 're-initialize NVRAM from its pristine template' },
    ],
    async run(ctx, opts) {
      const dom = await commandDomain(ctx, opts);
      if (!dom) return false;
      if (dom.id !== -1) {
        ctx.error('Domain is already active');
        return false;
      }
      const flags = createFlagsOf(opts);
      const fds = passFds(ctx, opts);
      if (fds === null) return false;
      try {
        if (fds.length) throw withFilesUnsupported('virDomainCreateWithFiles');
        await dom.create(flags);
      } catch (e) {
        ctx.error(`Failed to start domain '${dom.name}'`);
        ctx.reportError(e);
        return false;
      }
      ctx.print(`Domain '${dom.name}' started\n`);
      return opts.has('console') ? runConsole(ctx, dom, undefined, 0) : true;
    },
  },
  domainAction('undefine', 'undefine a domain', 'Undefine an inactive domain, or convert persistent to transient.',
    (d, flags) => d.undefine(flags), "Domain '%s' has been undefined", "Failed to undefine domain '%s'",
    [
      { name: 'managed-save', type: 'bool', help: 'remove domain managed state file' },
      { name: 'snapshots-metadata', type: 'bool', help: 'remove all domain snapshot metadata (vm must be inactive)' },
      { name: 'checkpoints-metadata', type: 'bool', help: 'remove all domain checkpoint metadata (vm must be inactive)' },
      { name: 'nvram', type: 'bool', help: 'remove nvram file' },
      { name: 'keep-nvram', type: 'bool', help: 'keep nvram file' },
      { name: 'tpm', type: 'bool', help: 'remove TPM state' },
      { name: 'keep-tpm', type: 'bool', help: 'keep TPM state' },
    ],
    (_ctx, opts) => flagsOf(opts, [
      ['managed-save', DomainUndefineFlags.MANAGED_SAVE], ['snapshots-metadata', DomainUndefineFlags.SNAPSHOTS_METADATA],
      ['checkpoints-metadata', DomainUndefineFlags.CHECKPOINTS_METADATA], ['nvram', DomainUndefineFlags.NVRAM],
      ['keep-nvram', DomainUndefineFlags.KEEP_NVRAM], ['tpm', DomainUndefineFlags.TPM], ['keep-tpm', DomainUndefineFlags.KEEP_TPM],
    ])),
  domainAction('shutdown', 'gracefully shutdown a domain', 'Run shutdown in the target domain.',
    (d, flags) => d.shutdown(flags), "Domain '%s' is being shutdown", "Failed to shutdown domain '%s'", [MODE_OPTION], modeFlags),
  domainAction('reboot', 'reboot a domain', 'Run a reboot command in the target domain.',
    (d, flags) => d.reboot(flags), "Domain '%s' is being rebooted", "Failed to reboot domain '%s'", [MODE_OPTION], modeFlags),
  domainAction('destroy', 'destroy (stop) a domain', 'Forcefully stop a given domain, but leave its resources intact.',
    (d, flags) => d.destroy(flags), "Domain '%s' destroyed", "Failed to destroy domain '%s'",
    [
      { name: 'graceful', type: 'bool', help: 'terminate gracefully' },
      { name: 'remove-logs', type: 'bool', help: 'remove domain logs' },
    ],
    (_ctx, opts) => flagsOf(opts, [['graceful', DomainDestroyFlags.GRACEFUL], ['remove-logs', DomainDestroyFlags.REMOVE_LOGS]])),
  domainAction('reset', 'reset a domain', 'Reset the target domain as if by power button',
    (d) => d.reset(0), "Domain '%s' was reset", "Failed to reset domain '%s'"),
  domainAction('suspend', 'suspend a domain', 'Suspend a running domain.',
    (d) => d.suspend(), "Domain '%s' suspended", "Failed to suspend domain '%s'"),
  domainAction('resume', 'resume a domain', 'Resume a previously suspended domain.',
    (d) => d.resume(), "Domain '%s' resumed", "Failed to resume domain '%s'"),
];
