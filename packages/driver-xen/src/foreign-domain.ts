// A domain that xl runs but this driver did not start (xl create by hand, another
// toolstack): its definition as far as libxl's config says (`xl list -l`).

import { escapeXml } from '@tsvirt/core/xml';
import type { XlDomainConfig } from './xl/xl-list.js';

export function foreignDomainXml(c: XlDomainConfig): string {
  const os = c.type === 'hvm' ? 'hvm' : c.type === 'pvh' ? 'xenpvh' : 'linux';
  return `<domain type='xen'>
  <name>${escapeXml(c.name)}</name>
  <uuid>${c.uuid}</uuid>
  <memory unit='KiB'>${c.maxMemKiB}</memory>
  <currentMemory unit='KiB'>${c.targetMemKiB}</currentMemory>
  <vcpu>${c.maxVcpus}</vcpu>
  <os><type>${os}</type></os>
</domain>`;
}
