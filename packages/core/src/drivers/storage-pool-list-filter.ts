import { ConnectListAllStoragePoolsFlags as P } from '../gen/api.gen.js';
import { objectMatchesListFlags, type ListableObject } from './domain-list-filter.js';

/** The pool-type filter flags of virConnectListAllStoragePools, by pool type. */
const TYPE_FLAGS: Readonly<Record<string, number>> = {
  dir: P.DIR, fs: P.FS, netfs: P.NETFS, logical: P.LOGICAL, disk: P.DISK, iscsi: P.ISCSI, scsi: P.SCSI, mpath: P.MPATH,
  rbd: P.RBD, sheepdog: P.SHEEPDOG, gluster: P.GLUSTER, zfs: P.ZFS, vstorage: P.VSTORAGE, 'iscsi-direct': P.ISCSI_DIRECT,
};
const ALL_TYPES = Object.values(TYPE_FLAGS).reduce((a, b) => a | b, 0);

/** The flags virConnectListAllStoragePools knows. */
export const STORAGE_POOL_LIST_FLAGS = 0xfffff;

/**
 * Whether a pool passes virConnectListAllStoragePools' filter (libvirt's
 * virStoragePoolObjMatch): the state pairs, then the type flags, any of which admits.
 */
export function poolMatchesListFlags(flags: number, pool: ListableObject & { readonly type: string }): boolean {
  const types = flags & ALL_TYPES;
  return objectMatchesListFlags(flags, pool) && (!types || (types & (TYPE_FLAGS[pool.type] ?? 0)) !== 0);
}
