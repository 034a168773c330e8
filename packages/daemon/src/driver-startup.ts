// The drivers a daemon starts with it, as libvirtd does its hypervisor drivers:
// opening one at start lets it do its start-up work (the QEMU driver reattaches
// to running guests and starts the autostart domains) before any client asks.

import type { DriverPool } from './driver-pool.js';

/** The QEMU instance this daemon serves: the system one as root, the user's session otherwise. */
export const startupUris = (): string[] => [process.getuid?.() === 0 ? 'qemu:///system' : 'qemu:///session'];

/**
 * Open the start-up URIs in the pool, in the background: a driver that is not
 * installed, or fails to open, is left to the first client that asks for it.
 */
export function startDrivers(pool: DriverPool, uris = startupUris()): void {
  for (const uri of uris) void pool.get(uri).catch(() => undefined);
}
