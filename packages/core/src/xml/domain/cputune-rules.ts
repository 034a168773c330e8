// libvirt's rules for <cputune>: scheduler settings are kept per vCPU and per I/O
// thread (a range is written back one by one), and resource-control groups (cachetune,
// memorytune) name vCPUs the domain has, never the same ones twice, without colliding
// allocations.

import { childElements, element, type XmlElement } from '../xml-element.js';
import { invalidArg, xmlError } from './conf-errors.js';
import { formatIdList, parseIdList } from './id-lists.js';

/** <vcpusched vcpus='0-1'> (or iothreadsched iothreads=) as one element per number, in ascending order. */
function splitSched(cputune: XmlElement, name: string, attr: string, below: number): void {
  const byId = new Map<number, XmlElement>();
  for (const s of childElements(cputune, name)) {
    for (const id of parseIdList(s.attrs[attr] ?? '')) {
      if (id < below) byId.set(id, element(name, { ...s.attrs, [attr]: String(id) }));
    }
  }
  const first = cputune.children.findIndex((c) => typeof c !== 'string' && c.name === name);
  if (first < 0) return;
  const rest = cputune.children.filter((c) => typeof c === 'string' || c.name !== name);
  rest.splice(first, 0, ...[...byId].sort((a, b) => a[0] - b[0]).map(([, e]) => e));
  cputune.children = rest;
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const overlaps = (a: number[], b: number[]) => a.some((x) => b.includes(x));

function checkCaches(tune: XmlElement): void {
  const seen: XmlElement[] = [];
  for (const c of childElements(tune, 'cache')) {
    const clash = seen.find((o) => o.attrs.level === c.attrs.level && o.attrs.id === c.attrs.id
      && (o.attrs.type === c.attrs.type || o.attrs.type === 'both' || c.attrs.type === 'both'));
    if (clash) throw xmlError(`Colliding cache allocations for cache level '${c.attrs.level}' id '${c.attrs.id}', type '${c.attrs.type}'`);
    seen.push(c);
  }
}

function checkNodes(tune: XmlElement): void {
  const ids = new Set<string>();
  for (const n of childElements(tune, 'node')) {
    if (ids.has(n.attrs.id)) throw xmlError(`Memory Bandwidth already defined for node ${n.attrs.id}`);
    ids.add(n.attrs.id);
  }
}

function checkMonitors(tune: XmlElement, vcpus: number[], allocates: boolean): void {
  for (const m of childElements(tune, 'monitor')) {
    const ids = parseIdList(m.attrs.vcpus ?? '');
    if (allocates && ids.some((id) => !vcpus.includes(id))) throw invalidArg('Monitor vcpus conflicts with allocation');
  }
}

/** cachetune and memorytune: vCPUs the domain has, written as ranges; an empty group is dropped. */
function checkResctrls(cputune: XmlElement, maxVcpus: number): void {
  const groups: { kind: string; ids: number[] }[] = [];
  cputune.children = cputune.children.filter((c) => {
    if (typeof c === 'string' || (c.name !== 'cachetune' && c.name !== 'memorytune')) return true;
    const ids = parseIdList(c.attrs.vcpus ?? '').filter((id) => id < maxVcpus);
    if (ids.length === 0) return false;
    // the group's id is made up while the domain runs
    delete c.attrs.id;
    c.attrs.vcpus = formatIdList(ids);
    for (const g of groups) {
      if (sameIds(g.ids, ids)) {
        if (g.kind === c.name) throw xmlError(`Identical vcpus in ${c.name}s found`);
      } else if (overlaps(g.ids, ids)) {
        throw xmlError(g.kind === c.name ? `Overlapping vcpus in ${c.name}s` : 'Overlapping vcpus in resctrls');
      }
    }
    groups.push({ kind: c.name, ids });
    if (c.name === 'cachetune') checkCaches(c);
    else checkNodes(c);
    checkMonitors(c, ids, childElements(c, c.name === 'cachetune' ? 'cache' : 'node').length > 0);
    return true;
  });
}

/** libvirt's post-parse of <cputune>, in place. */
export function fillCputune(cputune: XmlElement, maxVcpus: number): void {
  splitSched(cputune, 'vcpusched', 'vcpus', maxVcpus);
  splitSched(cputune, 'iothreadsched', 'iothreads', Infinity);
  checkResctrls(cputune, maxVcpus);
}
