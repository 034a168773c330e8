// The storage driver's pools: definitions kept in <config>/storage/<name>.xml (with
// autostart links), the active ones marked by a state file in <run>/storage/, so that
// every connection and a restarted daemon see the same pools.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, StoragePoolBuildFlags as B, StoragePoolState, type StoragePoolInfo } from '@tsvirt/core';
import { NamedObjectTable, poolMatchesListFlags, STORAGE_POOL_LIST_FLAGS, type StoragePoolRef, writeFileAtomic, XmlConfigStore } from '@tsvirt/core/driver';
import { formatStoragePoolXml, parseStoragePoolXml, type StoragePoolDef } from '@tsvirt/core/xml';
import { buildDir, checkTargetPath, deleteDir, dirSizes, scanDir } from './dir-pool.js';
import { fsSource, makeFileSystem, mountFileSystem, unmountFileSystem } from './fs-pool.js';
import { checkFlags, invalidOperation, operationFailed, poolNotActive, storageError } from './storage-errors.js';
import { StoragePoolObj } from './storage-pool-obj.js';
import { permissionsOf } from './volume-stat.js';

/** Where the storage driver keeps its files, beside a hypervisor driver's folders. */
export interface StorageDirs {
  configDir: string;
  runDir: string;
}

const POOL_TYPES = new Set(['dir', 'fs']);

function parsePool(xml: string | Uint8Array): StoragePoolDef {
  const def = parseStoragePoolXml(xml);
  if (def.name.includes('/') || def.name.startsWith('.')) {
    throw storageError(ErrorNumber.XML_ERROR, `name '${def.name}' cannot contain '/' or start with '.'`);
  }
  if (!POOL_TYPES.has(def.type)) {
    throw storageError(ErrorNumber.NO_SUPPORT, `this function is not supported by the connection driver: storage pool type '${def.type}'`);
  }
  checkTargetPath(def);
  if (def.type === 'fs') fsSource(def);
  return def;
}

/** pool-build: the folder, and for an fs pool asked to overwrite (or not), the file system. */
async function buildPool(def: StoragePoolDef, flags: number): Promise<void> {
  await buildDir(def);
  if (def.type === 'fs' && flags & (B.OVERWRITE | B.NO_OVERWRITE)) await makeFileSystem(def, flags);
}

const poolXml = (def: StoragePoolDef) => formatStoragePoolXml({ ...def, capacity: 0, allocation: 0, available: 0 });

export class StoragePools {
  private readonly table = new NamedObjectTable<StoragePoolObj>({
    kind: 'pool', noun: 'storage pool', notFoundCode: ErrorNumber.NO_STORAGE_POOL, domain: ErrorDomain.STORAGE,
  });
  private readonly configs: XmlConfigStore<StoragePoolDef>;

  constructor(private readonly dirs: StorageDirs) {
    this.configs = new XmlConfigStore(dirs.configDir, { kind: 'storage pool', parse: parsePool, format: poolXml });
  }

  /** Load the persistent pools and the state of the active ones (transient ones included); refresh those. */
  async load(): Promise<void> {
    for (const { def, autostart } of await this.configs.loadAll()) {
      const p = new StoragePoolObj(def, false, true);
      p.autostart = autostart;
      this.table.add(p);
    }
    const running = new XmlConfigStore<StoragePoolDef>(this.dirs.runDir, { kind: 'storage pool', parse: parsePool, format: poolXml });
    for (const { def } of await running.loadAll()) {
      const p = this.table.findName(def.name) ?? new StoragePoolObj(def, false, false);
      if (!p.persistent) this.table.add(p);
      p.def = def;
      p.active = true;
      await this.refresh(p).catch(() => { p.active = false; });
    }
  }

  /** The run folder, made if missing. */
  async runDirReady(): Promise<string> {
    await fs.mkdir(this.dirs.runDir, { recursive: true, mode: 0o755 });
    return this.dirs.runDir;
  }

  /** Start the autostart pools that are not active (once per boot); one that fails stays inactive, as in libvirt. */
  async autostart(): Promise<void> {
    for (const p of this.all().filter((p) => p.autostart && !p.active)) {
      await this.start(p.ref(), 0).catch((e: Error) => process.stderr.write(`tsvirt: Failed to autostart storage pool '${p.name}': ${e.message}\n`));
    }
  }

  private stateFile(p: StoragePoolObj): string {
    return path.join(this.dirs.runDir, `${p.name}.xml`);
  }

  private async markActive(p: StoragePoolObj, active: boolean): Promise<void> {
    p.active = active;
    if (active) {
      await fs.mkdir(this.dirs.runDir, { recursive: true, mode: 0o755 });
      await writeFileAtomic(this.stateFile(p), poolXml(p.def));
    } else {
      await fs.rm(this.stateFile(p), { force: true });
    }
  }

  get(ref: StoragePoolRef): StoragePoolObj {
    return this.table.byUuidOrFail(ref.uuid);
  }

  active(ref: StoragePoolRef): StoragePoolObj {
    const p = this.get(ref);
    if (!p.active) throw poolNotActive(p.name);
    return p;
  }

  byName(name: string): StoragePoolObj { return this.table.byNameOrFail(name); }
  byUuid(uuid: string): StoragePoolObj { return this.table.byUuidOrFail(uuid); }
  all(): StoragePoolObj[] { return [...this.table.all()]; }

  list(flags: number): StoragePoolObj[] {
    checkFlags(flags, STORAGE_POOL_LIST_FLAGS, 'storageConnectListAllStoragePools');
    return this.all().filter((p) => poolMatchesListFlags(flags, p));
  }

  /** Two pools on one folder (or one device) would list (and delete) each other's volumes: refused as libvirt does. */
  private checkSourceConflict(def: StoragePoolDef): void {
    const device = (d: StoragePoolDef) => (d.type === 'fs' ? fsSource(d).device : undefined);
    const other = this.all().find((p) => p.uuid !== def.uuid
      && (p.def.targetPath === def.targetPath || (device(def) !== undefined && device(p.def) === device(def))));
    if (other) throw operationFailed(`Storage source conflict with pool: '${other.name}'`);
  }

  /** Make the pool's volumes reachable (an fs pool's file system mounted) and read them; undone if the reading fails. */
  private async activate(p: StoragePoolObj): Promise<void> {
    if (p.def.type === 'fs') await mountFileSystem(p.def);
    try {
      await this.refresh(p);
    } catch (e) {
      if (p.def.type === 'fs') await unmountFileSystem(p.def).catch(() => {});
      throw e;
    }
  }

  async define(xml: string, flags: number): Promise<StoragePoolObj> {
    checkFlags(flags, 0, 'storagePoolDefineXML');
    const def = parsePool(xml);
    const existing = this.table.existingFor(def.name, def.uuid);
    this.checkSourceConflict(def);
    await this.configs.save(def);
    if (existing) {
      existing.persistent = true;
      if (!existing.active) existing.def = def;
      return existing;
    }
    const p = new StoragePoolObj(def, false, true);
    this.table.add(p);
    return p;
  }

  async create(xml: string, flags: number): Promise<StoragePoolObj> {
    checkFlags(flags, B.OVERWRITE | B.NO_OVERWRITE, 'storagePoolCreateXML');
    const def = parsePool(xml);
    const existing = this.table.existingFor(def.name, def.uuid);
    if (existing) throw invalidOperation(`storage pool '${def.name}' is already active`);
    this.checkSourceConflict(def);
    const p = new StoragePoolObj(def, false, false);
    if (flags & (B.OVERWRITE | B.NO_OVERWRITE)) await buildPool(def, flags);
    await this.activate(p);
    this.table.add(p);
    await this.markActive(p, true);
    return p;
  }

  async start(ref: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, B.OVERWRITE | B.NO_OVERWRITE, 'storagePoolCreate');
    const p = this.get(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is already active`);
    if (flags & (B.OVERWRITE | B.NO_OVERWRITE)) await buildPool(p.def, flags);
    await this.activate(p);
    await this.markActive(p, true);
  }

  async destroy(ref: StoragePoolRef): Promise<void> {
    const p = this.active(ref);
    if (p.def.type === 'fs') await unmountFileSystem(p.def);
    p.volumes.clear();
    await this.markActive(p, false);
    if (!p.persistent) this.table.remove(p);
  }

  async undefine(ref: StoragePoolRef): Promise<void> {
    const p = this.get(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is still active`);
    if (!p.persistent) throw invalidOperation(`storage pool '${p.name}' is not persistent`);
    await this.configs.remove(p.name);
    this.table.remove(p);
  }

  async build(ref: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, B.OVERWRITE | B.NO_OVERWRITE, 'storagePoolBuild');
    if ((flags & B.OVERWRITE) && (flags & B.NO_OVERWRITE)) {
      throw invalidOperation('Overwrite and no overwrite flags are mutually exclusive');
    }
    const p = this.get(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is already active`);
    await buildPool(p.def, flags);
  }

  async delete(ref: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'storagePoolDelete');
    const p = this.get(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is still active`);
    await deleteDir(p.def);
  }

  /** virStoragePoolRefresh. */
  async refreshCall(ref: StoragePoolRef, flags: number): Promise<void> {
    checkFlags(flags, 0, 'storagePoolRefresh');
    await this.refresh(this.active(ref));
  }

  /** Read the folder again: its volumes and the file system's sizes. */
  async refresh(p: StoragePoolObj): Promise<void> {
    const volumes = await scanDir(p.dir);
    p.sizes = await dirSizes(p.dir);
    p.volumes = volumes;
  }

  info(ref: StoragePoolRef): StoragePoolInfo {
    const p = this.get(ref);
    const sizes = p.active ? p.sizes : { capacity: 0, allocation: 0, available: 0 };
    return { state: p.active ? StoragePoolState.RUNNING : StoragePoolState.INACTIVE, ...sizes };
  }

  /** The XML: the live folder's mode, owner and group while the pool is active, as libvirt shows them. */
  async xml(ref: StoragePoolRef, flags: number): Promise<string> {
    checkFlags(flags, 1 /* VIR_STORAGE_XML_INACTIVE */, 'storagePoolGetXMLDesc');
    const p = this.get(ref);
    if (!p.active || flags & 1) return poolXml(p.def);
    const st = await fs.stat(p.dir).catch(() => undefined);
    const permissions = st ? permissionsOf(st) : p.def.permissions;
    return formatStoragePoolXml({ ...p.def, ...p.sizes, permissions });
  }

  async setAutostart(ref: StoragePoolRef, autostart: boolean): Promise<void> {
    const p = this.get(ref);
    if (!p.persistent) throw invalidOperation('cannot set autostart for transient pool');
    await this.configs.setAutostart(p.name, autostart);
    p.autostart = autostart;
  }
}
