import type { XmlElement } from '../xml-element.js';

/** Ownership and mode of a pool's target directory or a volume's file. */
export interface StoragePermissions {
  mode?: string;
  owner?: string;
  group?: string;
  label?: string;
}

/** A storage pool's definition; sizes in bytes. */
export interface StoragePoolDef {
  type: string;
  name: string;
  uuid: string;
  capacity: number;
  allocation: number;
  available: number;
  /** the <source> children, as written */
  source: XmlElement[];
  targetPath?: string;
  permissions?: StoragePermissions;
}

/** A file's times as libvirt shows them: seconds with nanoseconds ("1700000000.123456789"). */
export interface StorageTimestamps {
  atime: string;
  mtime: string;
  ctime: string;
  btime: string;
}

/** The image a volume is layered on (<backingStore>). */
export interface StorageBackingStore {
  path: string;
  format?: string;
  permissions?: StoragePermissions;
  timestamps?: StorageTimestamps;
}

/** A storage volume's definition; sizes in bytes. */
export interface StorageVolDef {
  type: string;
  name: string;
  key?: string;
  capacity: number;
  allocation: number;
  /** the bytes the file takes on its host (its size), where a driver knows it */
  physical?: number;
  targetPath?: string;
  format?: string;
  permissions?: StoragePermissions;
  timestamps?: StorageTimestamps;
  backingStore?: StorageBackingStore;
}
