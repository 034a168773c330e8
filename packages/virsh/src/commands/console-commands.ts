// virsh console: the guest's console as a stream from virDomainOpenConsole, whether the
// driver runs in this process or behind a daemon, relayed to the terminal.

import { DomainConsoleFlags, DomainState, type Domain } from '@tsvirt/core';
import type { VirshContext } from '../virsh-context.js';
import type { ReadStream } from 'node:tty';
import { escapeByte, relayConsole } from '../console/console-relay.js';
import type { CommandDef } from '../cli/command-def.js';
import { domainCommand } from './domain-command.js';

const consoleCommand: CommandDef = domainCommand({
  name: 'console', help: 'connect to the guest console',
  description: 'Connect the virtual serial console for the guest',
  options: [
    { name: 'devname', type: 'string', help: 'character device name' },
    { name: 'force', type: 'bool', help: 'force console connection (disconnect already connected sessions)' },
    { name: 'safe', type: 'bool', help: 'only connect if safe console handling is supported' },
  ],
}, async (ctx, dom, opts) => {
  const flags = (opts.get('force') ? DomainConsoleFlags.FORCE : 0) | (opts.get('safe') ? DomainConsoleFlags.SAFE : 0);
  return runConsole(ctx, dom, opts.get('devname') as string | undefined, flags);
});

/** Relay the guest's console to the terminal until the escape key (console, and create/start --console). */
export async function runConsole(ctx: VirshContext, dom: Domain, devname: string | undefined, flags: number): Promise<boolean> {
  if ((await dom.getState()).state === DomainState.SHUTOFF) {
    ctx.error('The domain is not running');
    return false;
  }
  if (!process.stdin.isTTY) {
    ctx.error('Cannot run interactive console without a controlling TTY');
    return false;
  }
  const escape = ctx.options.escape ?? '^]';
  ctx.printExtra(`Connected to domain '${dom.name}'\nEscape character is ${escape}${escape[0] === '^' ? ` (Ctrl + ${escape[1]})` : ''}\n`);
  const guest = await dom.openConsole(devname, flags);
  // Other virsh commands can then manage the guest while the console runs; the next
  // command of this virsh reconnects.
  await ctx.closeIfInProcess();
  await relayConsole(guest, process.stdin as ReadStream, process.stdout, escapeByte(escape));
  return true;
}

export const consoleCommands = [consoleCommand];
