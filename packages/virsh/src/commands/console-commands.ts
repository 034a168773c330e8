// virsh console. libvirt streams the console through virDomainOpenConsole; tsvirt has
// no streams yet, so virsh finds the pty in the live XML (the QEMU driver records
// it there) and opens it itself, which only works on the host of the connection.

import { defaultUri, DomainState, ErrorDomain, ErrorNumber, parseConnectUri, VirError } from '@tsvirt/core';
import type { ReadStream } from 'node:tty';
import { consolePtyPath } from '../console/console-device.js';
import { relayPty } from '../console/pty-relay.js';
import type { CommandDef } from '../cli/command-def.js';
import { domainCommand } from './domain-command.js';

const consoleCommand: CommandDef = domainCommand({
  name: 'console', help: 'connect to the guest console',
  description: 'Connect the virtual serial console for the guest',
  options: [
    { name: 'devname', type: 'string', help: 'character device name' },
    // With no streams there is no console session held by the driver to take over or to guard.
    { name: 'force', type: 'bool', help: 'force console connection (disconnect already connected sessions)' },
    { name: 'safe', type: 'bool', help: 'only connect if safe console handling is supported' },
  ],
}, async (ctx, dom, opts) => {
  if ((await dom.getState()).state === DomainState.SHUTOFF) {
    ctx.error('The domain is not running');
    return false;
  }
  if (!process.stdin.isTTY) {
    ctx.error('Cannot run interactive console without a controlling TTY');
    return false;
  }
  // The URI virsh was given, not the one the driver answers to (a daemon's own is local).
  const uri = parseConnectUri(ctx.options.uri ?? defaultUri());
  if (uri.host !== null) {
    throw VirError.of(ErrorNumber.OPERATION_UNSUPPORTED, ErrorDomain.NONE,
      `console needs a local connection for now, '${uri.text}' is remote`);
  }
  ctx.printExtra(`Connected to domain '${dom.name}'\nEscape character is ^] (Ctrl + ])\n`);
  const pty = consolePtyPath(await dom.getXMLDesc(), opts.get('devname') as string | undefined);
  // A local QEMU connection holds the guest's only monitor: let go of it while the
  // console runs, so that other virsh commands can manage the guest meanwhile.
  // The next command of this virsh reconnects.
  await ctx.close();
  await relayPty(pty, process.stdin as ReadStream, process.stdout);
});

export const consoleCommands = [consoleCommand];
