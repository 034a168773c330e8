import type { DomainDef } from '../xml/domain/domain-def.js';
import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import { normalizeUuid } from '../util/uuid.js';
import { nameTaken, renameRefused, uuidTaken } from './conf-errors.js';
import { DOMAIN_LIST_FLAGS, domainMatchesListFlags } from './domain-list-filter.js';
import type { DomainObject } from './domain-object.js';
import { checkFlags } from './flag-checks.js';

/**
 * The domains of a driver's state (libvirt's virDomainObjList), indexed by name, UUID
 * and id: every lookup is one map access. It keeps its id index right by itself as
 * domains start and stop. A miss is reported in the driver's error domain; whether a
 * lookup's miss says what was looked for is the driver's choice, as in libvirt (its QEMU
 * driver says "no domain with matching name 'x'", its test driver only "Domain not found").
 */
export class DomainTable<D extends DomainObject> {
  readonly #byName = new Map<string, D>();
  readonly #byUuid = new Map<string, D>();
  readonly #byId = new Map<number, D>();

  constructor(
    private readonly errorDomain: number,
    private readonly driverPrefix: string,
    private readonly lookupMisses: 'detailed' | 'bare' = 'detailed',
  ) {}

  get size(): number {
    return this.#byUuid.size;
  }

  add(d: D): void {
    this.#byName.set(d.name, d);
    this.#byUuid.set(d.uuid, d);
    if (d.id !== -1) this.#byId.set(d.id, d);
    d.watchId((old) => this.#reindex(d, old));
  }

  remove(d: D): void {
    if (this.#byUuid.get(d.uuid) !== d) return;
    this.#byName.delete(d.name);
    this.#byUuid.delete(d.uuid);
    if (d.id !== -1) this.#byId.delete(d.id);
    d.watchId(null);
  }

  /**
   * Give a domain a new name, keeping the indexes right (libvirt's virDomainObjListRename):
   * the name must be another and free; `rename` does the driver's part and may refuse.
   */
  rename(d: D, newName: string, rename: (name: string) => void): void {
    if (newName === d.name) throw renameRefused("Can't rename domain to itself");
    if (this.#byName.has(newName)) throw renameRefused(`domain with name '${newName}' already exists`);
    const oldName = d.name;
    rename(newName);
    this.#byName.delete(oldName);
    this.#byName.set(d.name, d);
  }

  #reindex(d: D, oldId: number): void {
    if (oldId !== -1 && this.#byId.get(oldId) === d) this.#byId.delete(oldId);
    if (d.id !== -1) this.#byId.set(d.id, d);
  }

  has(d: D): boolean {
    return this.#byUuid.get(d.uuid) === d;
  }

  findName(name: string): D | undefined {
    return this.#byName.get(name);
  }

  findUuid(uuid: string): D | undefined {
    return this.#byUuid.get(uuid) ?? this.#byUuid.get(normalizeUuid(uuid) ?? uuid);
  }

  byName(name: string): D {
    const d = this.#byName.get(name);
    if (!d) throw this.#lookupMiss(`no domain with matching name '${name}'`);
    return d;
  }

  byUuid(uuid: string): D {
    const d = this.findUuid(uuid);
    if (!d) throw this.#lookupMiss(`no domain with matching uuid '${uuid}'`);
    return d;
  }

  byId(id: number): D {
    const d = this.#byId.get(id);
    if (!d) throw this.#lookupMiss(`no domain with matching id ${id}`);
    return d;
  }

  /** The domain a reference names: it is a value, so the domain is found by its UUID. */
  of(ref: { readonly uuid: string; readonly name: string }): D {
    const d = this.findUuid(ref.uuid);
    if (!d) throw this.#noDomain(`no domain with matching uuid '${ref.uuid}' (${ref.name})`);
    return d;
  }

  all(): IterableIterator<D> {
    return this.#byUuid.values();
  }

  /** virConnectListAllDomains: the domains that pass the filter flags, as references. */
  list(flags: number): D[] {
    checkFlags(flags, DOMAIN_LIST_FLAGS, `${this.driverPrefix}ConnectListAllDomains`, this.errorDomain);
    const out: D[] = [];
    for (const d of this.#byUuid.values()) if (domainMatchesListFlags(flags, d)) out.push(d);
    return out;
  }

  /**
   * The domain a new definition replaces, if any; a definition whose name or UUID
   * belongs to another domain is refused, in libvirt's words.
   */
  existingFor(def: DomainDef, options: { allowOtherUuid?: boolean } = {}): D | undefined {
    const byUuid = this.#byUuid.get(def.uuid);
    if (byUuid && byUuid.name !== def.name) throw uuidTaken(byUuid.name, def.uuid);
    const byName = this.#byName.get(def.name);
    if (byName && byName.uuid !== def.uuid && !options.allowOtherUuid) throw nameTaken(def.name, byName.uuid);
    return byUuid;
  }

  #noDomain(info: string | undefined): VirError {
    return VirError.of(ErrorNumber.NO_DOMAIN, this.errorDomain, info);
  }

  #lookupMiss(info: string): VirError {
    return this.#noDomain(this.lookupMisses === 'detailed' ? info : undefined);
  }
}
