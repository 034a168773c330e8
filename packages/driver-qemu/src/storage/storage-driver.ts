// The storage driver behind a qemu:/// connection (libvirt runs it beside the QEMU
// driver in the same daemon): folder pools and their volumes, with their files kept
// in a "storage" folder beside the QEMU driver's config and run folders.

import path from 'node:path';
import type { QemuDirs } from '../qemu-dirs.js';
import { StoragePools } from './storage-pools.js';
import { StorageVolumes } from './storage-volumes.js';
import { claimAutostart } from '@tsvirt/core/driver';

export class StorageDriver {
  readonly pools: StoragePools;
  readonly volumes: StorageVolumes;

  private constructor(dirs: QemuDirs) {
    this.pools = new StoragePools({
      configDir: path.join(path.dirname(dirs.configDir), 'storage'), runDir: path.join(path.dirname(dirs.runDir), 'storage'),
    });
    this.volumes = new StorageVolumes(this.pools);
  }

  static async open(dirs: QemuDirs): Promise<StorageDriver> {
    const d = new StorageDriver(dirs);
    await d.pools.load();
    if (await claimAutostart(await d.pools.runDirReady())) await d.pools.autostart();
    return d;
  }
}
