import {
  ErrorDomain, ErrorNumber, StoragePoolState, StorageVolType, VirError, type StoragePoolInfo,
  type StorageVolInfo,
} from '@tsvirt/core';
import { NamedObjectTable, poolMatchesListFlags, STORAGE_POOL_LIST_FLAGS, type StoragePoolRef, type StorageVolRef } from '@tsvirt/core/driver';
import {
  formatStoragePoolXml, formatStorageVolXml, parseStoragePoolXml, parseStorageVolXml, type StoragePoolDef, type StorageVolDef,
} from '@tsvirt/core/xml';
import { checkFlags, internal, invalidOperation } from './test-errors.js';

/** Every pool of libvirt's test driver reports 100 GiB, whatever its XML says. */
const POOL_CAPACITY = 100 * 1024 ** 3;

/** One volume of a test pool; it is also the StorageVolRef core hands out. */
export class TestStorageVol implements StorageVolRef {
  constructor(public readonly def: StorageVolDef, public readonly pool: string) {}
  get name(): string { return this.def.name; }
  get key(): string { return this.def.key!; }
  get path(): string { return this.def.targetPath!; }
}

/** One storage pool of a test connection; it is also the StoragePoolRef core hands out. */
export class TestStoragePool implements StoragePoolRef {
  autostart = false;
  readonly volumes = new Map<string, TestStorageVol>();

  constructor(public def: StoragePoolDef, public active: boolean, public persistent: boolean) {}

  get name(): string { return this.def.name; }
  get uuid(): string { return this.def.uuid; }
  get type(): string { return this.def.type; }
}

const volNotFound = (key: string, value: string) =>
  VirError.of(ErrorNumber.NO_STORAGE_VOL, ErrorDomain.TEST, `no storage vol with matching ${key} '${value}'`);

function withDefaultSizes(def: StoragePoolDef): StoragePoolDef {
  return { ...def, capacity: POOL_CAPACITY, allocation: 0, available: POOL_CAPACITY };
}

/** The storage pools and volumes of a test connection; volumes are also indexed by key and path. */
export class TestStorage {
  private readonly pools = new NamedObjectTable<TestStoragePool>({ kind: 'pool', noun: 'storage pool', notFoundCode: ErrorNumber.NO_STORAGE_POOL, domain: ErrorDomain.TEST });
  private readonly volsByKey = new Map<string, TestStorageVol>();
  private readonly volsByPath = new Map<string, TestStorageVol>();

  constructor(initial: { def: StoragePoolDef; active: boolean; volumes: StorageVolDef[] }[]) {
    for (const p of initial) {
      const pool = new TestStoragePool(withDefaultSizes(p.def), p.active, true);
      this.pools.add(pool);
      for (const v of p.volumes) this.addVolume(pool, v);
    }
  }

  pool(ref: StoragePoolRef): TestStoragePool {
    return this.pools.byUuidOrFail(ref.uuid);
  }

  private activePool(ref: StoragePoolRef): TestStoragePool {
    const p = this.pool(ref);
    if (!p.active) throw invalidOperation(`storage pool '${p.name}' is not active`);
    return p;
  }

  vol(ref: StorageVolRef): TestStorageVol {
    const v = this.volsByKey.get(ref.key);
    if (!v) throw volNotFound('key', ref.key);
    return v;
  }

  listPools(flags: number): TestStoragePool[] {
    checkFlags(flags, STORAGE_POOL_LIST_FLAGS, 'testConnectListAllStoragePools');
    return [...this.pools.all()].filter((p) => poolMatchesListFlags(flags, p));
  }

  poolByName(name: string): TestStoragePool { return this.pools.byNameOrFail(name); }
  poolByUuid(uuid: string): TestStoragePool { return this.pools.byUuidOrFail(uuid); }

  definePool(xml: string, flags: number): TestStoragePool {
    checkFlags(flags, 0, 'testStoragePoolDefineXML');
    const def = withDefaultSizes(parseStoragePoolXml(xml));
    const existing = this.pools.existingFor(def.name, def.uuid);
    if (existing) {
      if (existing.active) throw invalidOperation(`storage pool '${def.name}' is already active`);
      existing.def = def;
      existing.persistent = true;
      return existing;
    }
    const p = new TestStoragePool(def, false, true);
    this.pools.add(p);
    return p;
  }

  createPool(xml: string, flags: number): TestStoragePool {
    checkFlags(flags, 0, 'testStoragePoolCreateXML');
    const def = withDefaultSizes(parseStoragePoolXml(xml));
    const existing = this.pools.existingFor(def.name, def.uuid);
    if (existing) throw invalidOperation(`storage pool '${def.name}' is already active`);
    const p = new TestStoragePool(def, true, false);
    this.pools.add(p);
    return p;
  }

  startPool(ref: StoragePoolRef, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolCreate');
    const p = this.pool(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is active`);
    p.active = true;
  }

  destroyPool(ref: StoragePoolRef): void {
    const p = this.activePool(ref);
    p.active = false;
    if (!p.persistent) this.dropPool(p);
  }

  undefinePool(ref: StoragePoolRef): void {
    const p = this.pool(ref);
    if (p.active) throw invalidOperation(`storage pool '${p.name}' is active`);
    this.dropPool(p);
  }

  private dropPool(p: TestStoragePool): void {
    for (const v of p.volumes.values()) this.unindexVolume(v);
    this.pools.remove(p);
  }

  refreshPool(ref: StoragePoolRef, flags: number): void {
    checkFlags(flags, 0, 'testStoragePoolRefresh');
    this.activePool(ref);
  }

  poolInfo(ref: StoragePoolRef): StoragePoolInfo {
    const p = this.pool(ref);
    const { capacity, allocation, available } = p.def;
    return { state: p.active ? StoragePoolState.RUNNING : StoragePoolState.INACTIVE, capacity, allocation, available };
  }

  poolXml(ref: StoragePoolRef, flags: number): string {
    checkFlags(flags, 0, 'testStoragePoolGetXMLDesc');
    return formatStoragePoolXml(this.pool(ref).def);
  }

  setPoolAutostart(ref: StoragePoolRef, autostart: boolean): void {
    const p = this.pool(ref);
    if (!p.persistent) throw invalidOperation('pool has no config file');
    p.autostart = autostart;
  }

  listVolumes(ref: StoragePoolRef, flags: number): TestStorageVol[] {
    checkFlags(flags, 0, 'testStoragePoolListAllVolumes');
    const p = this.pool(ref);
    if (!p.active) throw invalidOperation('storage pool is not active');
    return [...p.volumes.values()];
  }

  volByName(ref: StoragePoolRef, name: string): TestStorageVol {
    const v = this.activePool(ref).volumes.get(name);
    if (!v) throw volNotFound('name', name);
    return v;
  }

  volByKey(key: string): TestStorageVol {
    const v = this.volsByKey.get(key);
    if (!v) throw volNotFound('key', key);
    return v;
  }

  volByPath(path: string): TestStorageVol {
    const v = this.volsByPath.get(path);
    if (!v || !this.pools.findName(v.pool)?.active) throw volNotFound('path', path);
    return v;
  }

  /** A volume lives at <pool path>/<name>, which is also its key; its space comes out of the pool's. */
  private addVolume(pool: TestStoragePool, def: StorageVolDef): TestStorageVol {
    const path = `${pool.def.targetPath ?? ''}/${def.name}`;
    const v = new TestStorageVol({ ...def, key: path, targetPath: path, format: def.format ?? 'raw' }, pool.name);
    pool.volumes.set(v.name, v);
    this.volsByKey.set(v.key, v);
    this.volsByPath.set(v.path, v);
    pool.def.allocation += def.allocation;
    pool.def.available -= def.allocation;
    return v;
  }

  private unindexVolume(v: TestStorageVol): void {
    this.volsByKey.delete(v.key);
    this.volsByPath.delete(v.path);
  }

  createVolume(ref: StoragePoolRef, xml: string, flags: number): TestStorageVol {
    checkFlags(flags, 0, 'testStorageVolCreateXML');
    const p = this.activePool(ref);
    const def = parseStorageVolXml(xml);
    if (p.volumes.has(def.name)) throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, 'storage vol already exists');
    if (p.def.allocation + def.allocation > p.def.capacity) throw internal(`Not enough free space in pool for volume '${def.name}'`);
    return this.addVolume(p, def);
  }

  deleteVolume(ref: StorageVolRef, flags: number): void {
    checkFlags(flags, 0, 'testStorageVolDelete');
    const v = this.vol(ref);
    const p = this.activePool(this.poolByName(v.pool));
    p.volumes.delete(v.name);
    this.unindexVolume(v);
    p.def.allocation -= v.def.allocation;
    p.def.available += v.def.allocation;
  }

  volInfo(ref: StorageVolRef): StorageVolInfo {
    const { capacity, allocation } = this.vol(ref).def;
    return { type: StorageVolType.FILE, capacity, allocation };
  }

  volXml(ref: StorageVolRef, flags: number): string {
    checkFlags(flags, 0, 'testStorageVolGetXMLDesc');
    return formatStorageVolXml(this.vol(ref).def);
  }
}
