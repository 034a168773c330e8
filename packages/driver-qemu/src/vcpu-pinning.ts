// vCPU pinning as a definition keeps it: <cputune><vcpupin vcpu='N' cpuset='LIST'/></cputune>,
// an element the core model keeps as parsed (in `extra`).

import type { VcpuPin } from '@tsvirt/core';
import { childElements, element, type DomainDef } from '@tsvirt/core/xml';
import { formatCpuList, parseCpuList } from './cpu-list.js';

export function vcpuPins(def: DomainDef): VcpuPin[] {
  const cputune = def.extra.find((e) => e.name === 'cputune');
  if (!cputune) return [];
  return childElements(cputune, 'vcpupin').flatMap((p) => {
    const cpus = parseCpuList(p.attrs.cpuset ?? '');
    return cpus ? [{ vcpu: Number(p.attrs.vcpu), cpus }] : [];
  });
}

export function setVcpuPin(def: DomainDef, vcpu: number, cpus: readonly number[]): void {
  let cputune = def.extra.find((e) => e.name === 'cputune');
  if (!cputune) {
    cputune = element('cputune');
    def.extra.push(cputune);
  }
  const pin = element('vcpupin', { vcpu: String(vcpu), cpuset: formatCpuList(cpus) });
  const existing = cputune.children.findIndex((c) => typeof c !== 'string' && c.name === 'vcpupin' && c.attrs.vcpu === String(vcpu));
  if (existing >= 0) cputune.children[existing] = pin;
  else cputune.children.push(pin);
}
