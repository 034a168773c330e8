// A network's Linux bridge: made with its address, STP and forward delay, and removed.

import { readFileSync } from 'node:fs';
import type { NetworkIpDef } from '@tsvirt/core/xml';
import { hostCommand, quietly } from './host-command.js';

/**
 * The links of this process's network namespace. /proc/self/net follows the process's
 * namespace; /sys/class/net shows the namespace of whoever mounted /sys.
 */
export function linkNames(): Set<string> {
  const lines = readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2);
  return new Set(lines.map((l) => l.split(':')[0]!.trim()).filter((n) => n !== ''));
}

export const linkExists = (name: string) => linkNames().has(name);

/** The first name of `pattern` ("virbr%d") that no link and none of `taken` has. */
export function freeLinkName(pattern: string, taken: ReadonlySet<string>): string {
  const present = linkNames();
  for (let i = 0; ; i++) {
    const name = pattern.replace('%d', String(i));
    if (!present.has(name) && !taken.has(name)) return name;
  }
}

export interface BridgeSetup {
  name: string;
  mac?: string;
  stp: boolean;
  /** seconds */
  delay: number;
  ips: NetworkIpDef[];
}

export async function createBridge(b: BridgeSetup): Promise<void> {
  await hostCommand('ip', ['link', 'add', 'name', b.name, ...(b.mac ? ['address', b.mac] : []), 'type', 'bridge',
    'stp_state', b.stp ? '1' : '0', 'forward_delay', String(b.delay * 100)], `error creating bridge interface ${b.name}`);
  try {
    for (const ip of b.ips) {
      await hostCommand('ip', ['addr', 'add', `${ip.address}/${ip.prefix}`, 'dev', b.name], `Failed to add IP address ${ip.address}/${ip.prefix} to ${b.name}`);
    }
    await hostCommand('ip', ['link', 'set', b.name, 'up'], `Failed to set bridge interface ${b.name} up`);
  } catch (e) {
    await deleteBridge(b.name);
    throw e;
  }
}

export const deleteBridge = (name: string) => quietly('ip', ['link', 'del', name]);
