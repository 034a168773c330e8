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

/** A storage volume's definition; sizes in bytes. */
export interface StorageVolDef {
  type: string;
  name: string;
  key?: string;
  capacity: number;
  allocation: number;
  targetPath?: string;
  format?: string;
  permissions?: StoragePermissions;
}
