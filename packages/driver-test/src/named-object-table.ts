import { ErrorNumber, VirError, type ErrorDomain } from '@tsvirt/core';
import { normalizeUuid } from '@tsvirt/core/driver';

/**
 * Objects of one kind (networks, storage pools) indexed by name and UUID: every lookup
 * is one map access. A miss is the kind's own "not found" error.
 */
export class NamedObjectTable<T extends { readonly name: string; readonly uuid: string }> {
  private readonly byName = new Map<string, T>();
  private readonly byUuid = new Map<string, T>();

  /** `kind` names the objects in libvirt's messages (network, pool); `domain` is where their errors come from. */
  constructor(
    private readonly kind: string, private readonly domain: ErrorDomain,
    private readonly notFound: (key: 'name' | 'uuid', value: string) => VirError,
  ) {}

  /**
   * The object a new definition replaces, if any. A definition whose name or UUID
   * belongs to another object is refused, in libvirt's words.
   */
  existingFor(name: string, uuid: string): T | undefined {
    const byUuid = this.byUuid.get(uuid);
    if (byUuid && byUuid.name !== name) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, this.domain, `${this.kind} '${byUuid.name}' is already defined with uuid ${uuid}`);
    }
    const byName = this.byName.get(name);
    if (byName && byName.uuid !== uuid) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, this.domain, `${this.kind} '${name}' already exists with uuid ${byName.uuid}`);
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

  all(): IterableIterator<T> {
    return this.byName.values();
  }
}
