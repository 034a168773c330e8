// One storage pool of the storage driver, with its volumes as the last refresh found them.

import type { StoragePoolRef, StorageVolRef } from '@tsvirt/core/driver';
import type { StoragePoolDef, StorageVolDef } from '@tsvirt/core/xml';

export class StoragePoolObj {
  autostart = false;
  /** by name */
  volumes = new Map<string, StorageVolDef>();
  /** what the last refresh measured of the pool's file system */
  sizes = { capacity: 0, allocation: 0, available: 0 };

  constructor(public def: StoragePoolDef, public active: boolean, public persistent: boolean) {}

  get name(): string { return this.def.name; }
  get uuid(): string { return this.def.uuid; }
  get type(): string { return this.def.type; }
  /** the pool's folder, checked absolute when the pool was defined */
  get dir(): string { return this.def.targetPath!; }

  ref(): StoragePoolRef {
    return { name: this.name, uuid: this.uuid };
  }

  volRef(v: StorageVolDef): StorageVolRef {
    return { name: v.name, key: v.key!, path: v.targetPath!, pool: this.name };
  }
}
