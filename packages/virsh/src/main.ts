import './builtin-drivers.js';
import { GlobalOptionError, parseGlobalOptions } from './cli/global-options.js';
import { LIBVIRT_VERSION, versionText } from './commands/host-commands.js';
import { usageText } from './commands/help-text.js';
import { VirshContext } from './virsh-context.js';
import { commandsOfArgs, runCommands } from './virsh-run.js';

const LONG_VERSION = `Virsh command line tool of libvirt ${versionText(LIBVIRT_VERSION)}
See web site at https://libvirt.org/

Compiled with support for:
 Hypervisors: QEMU/KVM LXC LibXL OpenVZ VMware VirtualBox ESX Test
 Networking: Remote Network Bridging Interface udev Nwfilter
 Storage: Dir Disk Filesystem SCSI Multipath iSCSI iSCSI-direct LVM RBD Gluster ZFS
 Miscellaneous: Daemon Nodedev AppArmor SELinux Secrets Debug DTrace Readline
`;

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
  if (g.action === 'help') { process.stdout.write(usageText()); return 0; }
  const uri = g.uri ?? (process.env.VIRSH_DEFAULT_CONNECT_URI || process.env.LIBVIRT_DEFAULT_URI || undefined);
  const ctx = new VirshContext({ uri, readOnly: g.readOnly, quiet: g.quiet, keepalive: g.keepalive });
  const commands = commandsOfArgs(g.rest);
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
