// The listening unix sockets of a guest's character devices (<serial type='unix'> with
// <source mode='bind' path='...'/>), bound by the driver and handed to QEMU by descriptor,
// as libvirt does: QEMU, running as its own user, could not create them in a folder of
// root's. QEMU does not know their names, so the driver removes them when the guest stops.

import { promises as fs } from 'node:fs';
import { childElement } from '@tsvirt/core/xml';
import type { DomainDef } from '@tsvirt/core/xml';
import { bindListeningSocket } from './qemu-process.js';
import { escapeQemuValue } from './qemu-opts.js';

/** The paths of the listening unix sockets a domain's character devices name. */
export function listeningChardevPaths(def: DomainDef): string[] {
  const paths: string[] = [];
  for (const dev of def.devices) {
    if (dev.kind !== 'other' || dev.element.attrs.type !== 'unix') continue;
    const source = childElement(dev.element, 'source')?.attrs;
    if (source?.path && (source.mode ?? 'bind') === 'bind') paths.push(source.path);
  }
  return paths;
}

export interface ChardevListeners {
  /** the descriptors, in the order QEMU inherits them */
  fds: number[];
  /** Close the driver's copies once QEMU has its own (or failed to start). */
  close(): Promise<void>;
}

/**
 * Bind each listening socket of `def` and turn its -chardev in `args` from path= into
 * fd=N, numbered from `firstFd` in the order of the descriptors returned.
 */
export async function bindChardevListeners(def: DomainDef, args: string[], firstFd: number): Promise<ChardevListeners> {
  const bound: { fd: number; close: () => Promise<void> }[] = [];
  const close = async () => {
    await Promise.all(bound.map((b) => b.close()));
  };
  try {
    for (const path of listeningChardevPaths(def)) {
      const byPath = `,path=${escapeQemuValue(path)},server=on`;
      const at = args.findIndex((a, i) => args[i - 1] === '-chardev' && a.startsWith('socket,') && a.includes(byPath));
      if (at < 0) continue;
      // As QEMU would, a socket left at the path by an earlier run is replaced.
      await fs.rm(path, { force: true });
      const socket = await bindListeningSocket(path);
      args[at] = args[at]!.replace(byPath, `,fd=${firstFd + bound.length},server=on`);
      bound.push(socket);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { fds: bound.map((b) => b.fd), close };
}

/** Remove a stopped guest's listening sockets. */
export async function removeChardevListeners(def: DomainDef): Promise<void> {
  await Promise.all(listeningChardevPaths(def).map((p) => fs.rm(p, { force: true })));
}
