import { normalizeUuid } from '@tsvirt/core';
import type { TestDomain } from './test-domain.js';
import { noDomain } from './test-errors.js';

/** The domains of a connection, indexed by name, UUID and id: every lookup is one map access. */
export class DomainTable {
  private readonly byName = new Map<string, TestDomain>();
  private readonly byUuid = new Map<string, TestDomain>();
  private readonly byId = new Map<number, TestDomain>();

  add(d: TestDomain): void {
    this.byName.set(d.name, d);
    this.byUuid.set(d.uuid, d);
    if (d.id !== -1) this.byId.set(d.id, d);
  }

  /** Drop a domain; `id` is the id it was indexed under, when it has just changed. */
  remove(d: TestDomain, id = d.id): void {
    this.byName.delete(d.name);
    this.byUuid.delete(d.uuid);
    if (id !== -1) this.byId.delete(id);
  }

  /** Keep the id index right around a change of the domain's id (start, stop). */
  reindexId(d: TestDomain, oldId: number): void {
    if (oldId !== -1) this.byId.delete(oldId);
    if (d.id !== -1) this.byId.set(d.id, d);
  }

  findName(name: string): TestDomain | undefined {
    return this.byName.get(name);
  }

  findUuid(uuid: string): TestDomain | undefined {
    return this.byUuid.get(uuid);
  }

  byNameOrFail(name: string): TestDomain {
    const d = this.byName.get(name);
    if (!d) throw noDomain(`no domain with matching name '${name}'`);
    return d;
  }

  byUuidOrFail(uuid: string): TestDomain {
    const d = this.byUuid.get(normalizeUuid(uuid) ?? uuid);
    if (!d) throw noDomain(`no domain with matching uuid '${uuid}'`);
    return d;
  }

  byIdOrFail(id: number): TestDomain {
    const d = this.byId.get(id);
    if (!d) throw noDomain(`no domain with matching id ${id}`);
    return d;
  }

  all(): IterableIterator<TestDomain> {
    return this.byUuid.values();
  }
}
