// The snapshots of one domain (libvirt's virDomainSnapshotObjList and moment tree):
// names, the parent/child tree, the current snapshot, libvirt's list filters, and
// deletion with or without children. A driver takes and reverts the snapshots; the
// tree is the same for every driver.

import {
  DomainSnapshotDeleteFlags as Del, DomainSnapshotListFlags as List, DomainState,
} from '../gen/api.gen.js';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { DomainSnapshotRef } from '../gen/driver.gen.js';
import { formatSnapshotXml, SNAPSHOT_DISK_ONLY_STATE, type SnapshotFacts } from '../xml/snapshot/snapshot-xml.js';

/** One snapshot; applications hold a reference to it ({ name, domain }), not the object. */
export class DomainSnapshot implements DomainSnapshotRef {
  parent: DomainSnapshot | null = null;
  readonly children = new Set<DomainSnapshot>();

  constructor(readonly tree: SnapshotTree, readonly facts: SnapshotFacts) {}

  get name(): string {
    return this.facts.name;
  }

  get domain(): string {
    return this.tree.domainName();
  }

  /** Whether its memory or a disk lives outside the images (libvirt's "external" location). */
  get external(): boolean {
    return this.facts.memory === 'external' || this.facts.disks.some((d) => d.snapshot === 'external');
  }

  descendantCount(): number {
    let n = 0;
    for (const c of this.children) n += 1 + c.descendantCount();
    return n;
  }

  /** libvirt's domainsnapshot XML (the domain's secrets only if `secure`); `record`: the driver's own copy, which says whether it is current. */
  toXml(secure: boolean, record = false): string {
    return formatSnapshotXml(this.facts, { parent: this.parent?.name, secure, current: record && this.tree.current === this });
  }
}

/** The snapshots of one domain, by name, with the current one. `errorDomain`: the driver's, for its errors. */
export class SnapshotTree {
  private readonly byName = new Map<string, DomainSnapshot>();
  current: DomainSnapshot | null = null;

  constructor(readonly domainName: () => string, private readonly errorDomain: number) {}

  get size(): number {
    return this.byName.size;
  }

  all(): DomainSnapshot[] {
    return [...this.byName.values()];
  }

  #noSnapshot(info: string): VirError {
    return VirError.of(ErrorNumber.NO_DOMAIN_SNAPSHOT, this.errorDomain, info);
  }

  /** A new snapshot, child of the current one, and current from now on. */
  add(facts: SnapshotFacts): DomainSnapshot {
    this.checkNew(facts.name);
    const snap = new DomainSnapshot(this, facts);
    if (this.current) {
      snap.parent = this.current;
      this.current.children.add(snap);
    }
    this.byName.set(facts.name, snap);
    this.current = snap;
    return snap;
  }

  /** libvirt's refusal of a name in use, before any work is done for it. */
  checkNew(name: string): void {
    // The conf layer's words, from its error domain.
    if (this.byName.has(name)) throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.DOMAIN_SNAPSHOT, `domain snapshot ${name} already exists`);
  }

  /** Snapshots read back from a driver's records: each with its parent's name, and which is current. */
  load(records: Array<{ facts: SnapshotFacts; parent?: string; current: boolean }>): void {
    for (const r of records) this.byName.set(r.facts.name, new DomainSnapshot(this, r.facts));
    for (const r of records) {
      const snap = this.byName.get(r.facts.name)!;
      const parent = r.parent === undefined ? undefined : this.byName.get(r.parent);
      if (parent) {
        snap.parent = parent;
        parent.children.add(snap);
      }
      if (r.current) this.current = snap;
    }
  }

  get(name: string): DomainSnapshot {
    const s = this.byName.get(name);
    if (!s) throw this.#noSnapshot(`no domain snapshot with matching name '${name}'`);
    return s;
  }

  currentOrFail(): DomainSnapshot {
    if (!this.current) throw this.#noSnapshot('the domain does not have a current snapshot');
    return this.current;
  }

  parentOf(s: DomainSnapshot): DomainSnapshot {
    if (!s.parent) throw this.#noSnapshot(`snapshot '${s.name}' does not have a parent`);
    return s.parent;
  }

  /** All snapshots (parents before children), or with ROOTS only those without a parent. */
  list(flags: number): DomainSnapshot[] {
    const all = this.all();
    return filterSnapshots(flags & List.ROOTS ? all.filter((s) => !s.parent) : all, flags);
  }

  /** The children of a snapshot, or with DESCENDANTS (the same bit as ROOTS) all its descendants. */
  children(s: DomainSnapshot, flags: number): DomainSnapshot[] {
    const out: DomainSnapshot[] = [];
    const walk = (p: DomainSnapshot) => {
      for (const c of p.children) {
        out.push(c);
        if (flags & List.ROOTS) walk(c);
      }
    };
    walk(s);
    return filterSnapshots(out, flags);
  }

  /** The snapshots a delete with `flags` removes: the snapshot, its descendants, or both. */
  doomed(s: DomainSnapshot, flags: number): DomainSnapshot[] {
    const withChildren = (flags & (Del.CHILDREN | Del.CHILDREN_ONLY)) !== 0;
    const out = withChildren ? this.children(s, List.ROOTS) : [];
    return flags & Del.CHILDREN_ONLY ? out : [...out, s];
  }

  /** Delete a snapshot (with CHILDREN its descendants too, with CHILDREN_ONLY those alone); its children move up to its parent. */
  delete(s: DomainSnapshot, flags: number): void {
    const withChildren = (flags & (Del.CHILDREN | Del.CHILDREN_ONLY)) !== 0;
    if (withChildren) for (const c of [...s.children]) this.removeSubtree(c, s);
    if (flags & Del.CHILDREN_ONLY) return;
    for (const c of s.children) {
      c.parent = s.parent;
      s.parent?.children.add(c);
    }
    s.parent?.children.delete(s);
    this.byName.delete(s.name);
    if (this.current === s) this.current = s.parent;
  }

  private removeSubtree(s: DomainSnapshot, newCurrent: DomainSnapshot): void {
    for (const c of [...s.children]) this.removeSubtree(c, newCurrent);
    s.parent?.children.delete(s);
    this.byName.delete(s.name);
    if (this.current === s) this.current = newCurrent;
  }
}

/** libvirt's filter groups of snapshot lists: within a group the flags add up, an empty group passes all. Every snapshot here has metadata. */
function filterSnapshots(snaps: DomainSnapshot[], flags: number): DomainSnapshot[] {
  const group = (tests: [number, (s: DomainSnapshot) => boolean][]) => (s: DomainSnapshot) =>
    !tests.some(([f]) => flags & f) || tests.some(([f, test]) => (flags & f) !== 0 && test(s));
  const leaf = (s: DomainSnapshot) => s.children.size === 0;
  const state = (s: DomainSnapshot) => s.facts.state;
  const filters = [
    group([[List.LEAVES, leaf], [List.NO_LEAVES, (s) => !leaf(s)]]),
    group([[List.METADATA, () => true], [List.NO_METADATA, () => false]]),
    group([
      [List.ACTIVE, (s) => state(s) !== DomainState.SHUTOFF && state(s) !== SNAPSHOT_DISK_ONLY_STATE],
      [List.INACTIVE, (s) => state(s) === DomainState.SHUTOFF],
      [List.DISK_ONLY, (s) => state(s) === SNAPSHOT_DISK_ONLY_STATE],
    ]),
    group([[List.INTERNAL, (s) => !s.external], [List.EXTERNAL, (s) => s.external]]),
  ];
  return snaps.filter((s) => filters.every((f) => f(s)));
}
