import './builtin-drivers.js';
import { GlobalOptionError, parseGlobalOptions } from './cli/global-options.js';
import { LIBVIRT_VERSION, versionText } from './commands/host-commands.js';
import { usageText } from './commands/help-text.js';
import { VirshContext } from './virsh-context.js';
import { Level, LogFileError, VirshLog } from './virsh-log.js';
import { commandsOfArgs, runCommands } from './virsh-run.js';
import { findCommand } from './commands/command-registry.js';

const LONG_VERSION = `Virsh command line tool of libvirt ${versionText(LIBVIRT_VERSION)}
See web site at https://libvirt.org/

Compiled with support for:
 Hypervisors: QEMU/KVM LXC LibXL OpenVZ VMware VirtualBox ESX Test
 Networking: Remote Network Bridging Interface udev Nwfilter
 Storage: Dir Disk Filesystem SCSI Multipath iSCSI iSCSI-direct LVM RBD Gluster ZFS
 Miscellaneous: Daemon Nodedev AppArmor SELinux Secrets Debug DTrace Readline
`;

/** VIRSH_DEBUG: a debug level 0..4, as -d (ignored when it is not one). */
function envDebugLevel(): Level | undefined {
  const v = process.env.VIRSH_DEBUG;
  return v !== undefined && /^[0-4]$/.test(v.trim()) ? Number(v) : undefined;
}

// A reader that goes away (virsh ... | head) ends virsh quietly, as SIGPIPE ends libvirt's.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(argv: string[]): Promise<number> {
  let g;
  try {
    g = parseGlobalOptions(argv);
  } catch (e) {
    if (!(e instanceof GlobalOptionError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  if (g.action === 'version-short') { process.stdout.write(`${versionText(LIBVIRT_VERSION)}\n`); return 0; }
  if (g.action === 'version-long') { process.stdout.write(LONG_VERSION); return 0; }
  if (g.action === 'help') { process.stdout.write(usageText((name) => findCommand(name) !== undefined)); return 0; }
  for (const w of g.warnings) process.stderr.write(`error: ${w}\n`);
  let log: VirshLog;
  try {
    log = new VirshLog(g.debug ?? envDebugLevel() ?? Level.ERROR, g.logFile ?? (process.env.VIRSH_LOG_FILE || undefined));
  } catch (e) {
    if (!(e instanceof LogFileError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  // With no -c, core's open() chooses as libvirt does (LIBVIRT_DEFAULT_URI, the client
  // configuration's uri_default, then the installed drivers); virsh's own variable first.
  const uri = g.uri ?? (process.env.VIRSH_DEFAULT_CONNECT_URI || undefined);
  const ctx = new VirshContext({ uri, readOnly: g.readOnly, quiet: g.quiet, keepalive: g.keepalive, log, timing: g.timing, escape: g.escape });
  const commands = commandsOfArgs(ctx, g.rest);
  const ok = commands.length === 0
    ? await (await import('./shell/interactive-shell.js')).runShell(ctx)
    : await runCommands(ctx, commands);
  await ctx.close();
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`error: ${(e as Error).stack ?? e}\n`); process.exitCode = 1; },
);
