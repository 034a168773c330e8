import {
  DomainSnapshotDeleteFlags as Del, DomainSnapshotListFlags as List, DomainState, ErrorDomain, ErrorNumber, VirError,
} from '@tsvirt/core';
import type { DomainSnapshotRef } from '@tsvirt/core/driver';
import { childText, escapeXml, expectRoot, formatDomainXml, parseXmlDocument, type DomainDef } from '@tsvirt/core/xml';

/** libvirt's names of domain states in snapshot XML. */
const STATE_NAMES = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'];

// Snapshots of the mock hypervisor: each keeps the domain's definition and state at the
// time it was taken; reverting brings both back. Nothing is copied but the definition.

const noSnapshot = (info: string) => VirError.of(ErrorNumber.NO_DOMAIN_SNAPSHOT, ErrorDomain.TEST, info);

/** One snapshot; applications hold a reference to it ({ name, domain }), not the object. */
export class TestSnapshot implements DomainSnapshotRef {
  parent: TestSnapshot | null = null;
  readonly children = new Set<TestSnapshot>();

  constructor(
    readonly tree: SnapshotTree,
    readonly name: string,
    readonly description: string | undefined,
    /** the domain's state when the snapshot was taken */
    readonly state: number,
    readonly creationTime: number,
    readonly def: DomainDef,
  ) {}

  get domain(): string {
    return this.tree.domainName();
  }

  descendantCount(): number {
    let n = 0;
    for (const c of this.children) n += 1 + c.descendantCount();
    return n;
  }

  /** libvirt's domainsnapshot XML: the snapshot's facts, then the domain's definition indented under it (its secrets only if `secure`). */
  toXml(secure: boolean): string {
    const disks = this.def.devices.flatMap((d) => (d.kind === 'disk'
      ? [`    <disk name='${escapeXml(d.target.dev)}' snapshot='${d.device === 'disk' ? 'internal' : 'no'}'/>\n`] : []));
    const domain = formatDomainXml(this.def, { secure }).replace(/^(?=.)/gm, '  ');
    return '<domainsnapshot>\n'
      + `  <name>${escapeXml(this.name)}</name>\n`
      + (this.description !== undefined ? `  <description>${escapeXml(this.description)}</description>\n` : '')
      + `  <state>${STATE_NAMES[this.state]}</state>\n`
      + (this.parent ? `  <parent>\n    <name>${escapeXml(this.parent.name)}</name>\n  </parent>\n` : '')
      + `  <creationTime>${this.creationTime}</creationTime>\n`
      + `  <memory snapshot='${this.state === DomainState.SHUTOFF ? 'no' : 'internal'}'/>\n`
      + (disks.length ? `  <disks>\n${disks.join('')}  </disks>\n` : '')
      + domain
      + '</domainsnapshot>\n';
  }
}

/** What a <domainsnapshot> document asks for: a name (or none, for a generated one) and a description. */
export function parseSnapshotXml(xml: string): { name?: string; description?: string } {
  const root = parseXmlDocument(xml, '(domain_snapshot)');
  expectRoot(root, 'domainsnapshot');
  const name = childText(root, 'name');
  if (name !== undefined && name.includes('\n')) {
    throw VirError.of(ErrorNumber.XML_DETAIL, ErrorDomain.DOMAIN_SNAPSHOT, 'invalid char in name: 0x0a');
  }
  return { name, description: childText(root, 'description') };
}

/** The snapshots of one domain, by name, with the current one. */
export class SnapshotTree {
  private readonly byName = new Map<string, TestSnapshot>();
  current: TestSnapshot | null = null;

  constructor(readonly domainName: () => string) {}

  get size(): number {
    return this.byName.size;
  }

  add(name: string, description: string | undefined, state: number, def: DomainDef): TestSnapshot {
    if (this.byName.has(name)) {
      throw VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.DOMAIN_SNAPSHOT, `domain snapshot ${name} already exists`);
    }
    const snap = new TestSnapshot(this, name, description, state, Math.floor(Date.now() / 1000), structuredClone(def));
    if (this.current) {
      snap.parent = this.current;
      this.current.children.add(snap);
    }
    this.byName.set(name, snap);
    this.current = snap;
    return snap;
  }

  get(name: string): TestSnapshot {
    const s = this.byName.get(name);
    if (!s) throw noSnapshot(`no domain snapshot with matching name '${name}'`);
    return s;
  }

  currentOrFail(): TestSnapshot {
    if (!this.current) throw noSnapshot('the domain does not have a current snapshot');
    return this.current;
  }

  parentOf(s: TestSnapshot): TestSnapshot {
    if (!s.parent) throw noSnapshot(`snapshot '${s.name}' does not have a parent`);
    return s.parent;
  }

  /** All snapshots (parents before children), or with ROOTS only those without a parent. */
  list(flags: number): TestSnapshot[] {
    const all = [...this.byName.values()];
    return filterSnapshots(flags & List.ROOTS ? all.filter((s) => !s.parent) : all, flags);
  }

  /** The children of a snapshot, or with DESCENDANTS (the same bit as ROOTS) all its descendants. */
  children(s: TestSnapshot, flags: number): TestSnapshot[] {
    const out: TestSnapshot[] = [];
    const walk = (p: TestSnapshot) => {
      for (const c of p.children) {
        out.push(c);
        if (flags & List.ROOTS) walk(c);
      }
    };
    walk(s);
    return filterSnapshots(out, flags);
  }

  /** Delete a snapshot (with CHILDREN its descendants too, with CHILDREN_ONLY those alone). */
  delete(s: TestSnapshot, flags: number): void {
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

  private removeSubtree(s: TestSnapshot, newCurrent: TestSnapshot): void {
    for (const c of [...s.children]) this.removeSubtree(c, newCurrent);
    s.parent?.children.delete(s);
    this.byName.delete(s.name);
    if (this.current === s) this.current = newCurrent;
  }
}

/**
 * libvirt's filter groups of snapshot lists: within a group the flags add up, an empty
 * group passes all. Every snapshot here has metadata and is internal, none disk-only.
 */
function filterSnapshots(snaps: TestSnapshot[], flags: number): TestSnapshot[] {
  const group = (tests: [number, (s: TestSnapshot) => boolean][]) => (s: TestSnapshot) =>
    !tests.some(([f]) => flags & f) || tests.some(([f, test]) => (flags & f) !== 0 && test(s));
  const leaf = (s: TestSnapshot) => s.children.size === 0;
  const shutoff = (s: TestSnapshot) => s.state === DomainState.SHUTOFF;
  const filters = [
    group([[List.LEAVES, leaf], [List.NO_LEAVES, (s) => !leaf(s)]]),
    group([[List.METADATA, () => true], [List.NO_METADATA, () => false]]),
    group([[List.ACTIVE, (s) => !shutoff(s)], [List.INACTIVE, shutoff], [List.DISK_ONLY, () => false]]),
    group([[List.INTERNAL, () => true], [List.EXTERNAL, () => false]]),
  ];
  return snaps.filter((s) => filters.every((f) => f(s)));
}
