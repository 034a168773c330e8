import type { ErrorDomain } from '../gen/errors.gen.js';
import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import { normalizeUuid } from '../util/uuid.js';

/** How a table names its objects in libvirt's messages, and where its errors come from. */
export interface NamedObjectKind {
  /** in duplicate messages: network, pool */
  readonly kind: string;
  /** in "no X with matching name" messages: network, storage pool */
  readonly noun: string;
  /** the "not found" code: NO_NETWORK, NO_STORAGE_POOL */
  readonly notFoundCode: number;
  readonly domain: ErrorDomain;
}

/**
 * Objects of one kind (networks, storage pools) indexed by name and UUID, as libvirt's
 * object lists (virNetworkObjList, virStoragePoolObjList): every lookup is one map access.
 * A miss is the kind's own "not found" error.
 */
export class NamedObjectTable<T extends { readonly name: string; readonly uuid: string }> {
  private readonly byName = new Map<string, T>();
  private readonly byUuid = new Map<string, T>();

  constructor(private readonly names: NamedObjectKind) {}

  private notFound(key: 'name' | 'uuid', value: string): VirError {
    return VirError.of(this.names.notFoundCode, this.names.domain, `no ${this.names.noun} with matching ${key} '${value}'`);
  }

  /**
   * The object a new definition replaces, if any. A definition whose name or UUID
   * belongs to another object is refused, in libvirt's words.
   */
  existingFor(name: string, uuid: string): T | undefined {
    const byUuid = this.byUuid.get(uuid);
    if (byUuid && byUuid.name !== name) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, this.names.domain, `${this.names.kind} '${byUuid.name}' is already defined with uuid ${uuid}`);
    }
    const byName = this.byName.get(name);
    if (byName && byName.uuid !== uuid) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, this.names.domain, `${this.names.kind} '${name}' already exists with uuid ${byName.uuid}`);
    }
    return byName;
  }

  add(o: T): void {
    this.byName.set(o.name, o);
    this.byUuid.set(o.uuid, o);
  }

  remove(o: T): void {
    this.byName.delete(o.name);
    this.byUuid.delete(o.uuid);
  }

  findName(name: string): T | undefined {
    return this.byName.get(name);
  }

  byNameOrFail(name: string): T {
    const o = this.byName.get(name);
    if (!o) throw this.notFound('name', name);
    return o;
  }

  byUuidOrFail(uuid: string): T {
    const o = this.byUuid.get(normalizeUuid(uuid) ?? uuid);
    if (!o) throw this.notFound('uuid', uuid);
    return o;
  }

  get size(): number {
    return this.byName.size;
  }

  all(): IterableIterator<T> {
    return this.byName.values();
  }
}
