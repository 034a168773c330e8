// The network driver behind a qemu:/// connection, as libvirt runs one beside its
// QEMU driver: virtual networks on this host's bridges. It needs root (bridges, taps,
// firewall); its files sit in a "network" folder beside the QEMU driver's folders.

import path from 'node:path';
import type { QemuDirs } from '../qemu-dirs.js';
import { Networks } from './networks.js';
import { claimAutostart } from '@tsvirt/core/driver';

export class NetworkDriver {
  readonly networks: Networks;

  private constructor(dirs: QemuDirs) {
    this.networks = new Networks({
      configDir: path.join(path.dirname(dirs.configDir), 'network'), runDir: path.join(path.dirname(dirs.runDir), 'network'),
    });
  }

  /** The driver, for root; none otherwise (the network calls then answer "not supported"). */
  static async open(dirs: QemuDirs): Promise<NetworkDriver | undefined> {
    if (process.getuid?.() !== 0) return undefined;
    const d = new NetworkDriver(dirs);
    await d.networks.load();
    if (await claimAutostart(await d.networks.runDirReady())) await d.networks.autostart();
    return d;
  }
}
