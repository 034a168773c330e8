import { DomainTaint, type DomainMessages } from '@tsvirt/core/driver';
import { childText, type DomainDef } from '@tsvirt/core/xml';

/**
 * What libvirt's test driver marks a domain loaded from a node file with (its
 * testDomainObjCheckTaint): configuration an administrator should know about, which
 * virDomainGetMessages then reports. The CPU model 'Deprecated-Test' exists so that
 * applications can test how they show deprecations.
 */
export function checkDomainTaints(def: DomainDef, messages: DomainMessages): void {
  for (const dev of def.devices) {
    if (dev.kind === 'disk') {
      if (dev.rawio === 'yes') messages.taint(DomainTaint.HIGH_PRIVILEGES);
      if (dev.device === 'cdrom' && dev.type === 'block' && dev.source?.dev) messages.taint(DomainTaint.CDROM_PASSTHROUGH);
    } else if (dev.kind === 'interface') {
      if (dev.extra.some((e) => e.name === 'script')) messages.taint(DomainTaint.SHELL_SCRIPTS);
    } else if (dev.element.name === 'hostdev') {
      if (dev.element.attrs.type === 'scsi' && dev.element.attrs.rawio === 'yes') messages.taint(DomainTaint.HIGH_PRIVILEGES);
    }
  }
  const cpu = def.extra.find((e) => e.name === 'cpu');
  // a <cpu> with a model and no mode is a custom one
  if (cpu && (cpu.attrs.mode ?? 'custom') === 'custom' && childText(cpu, 'model')?.trim() === 'Deprecated-Test') {
    messages.taint(DomainTaint.DEPRECATED_CONFIG);
    messages.deprecate('CPU model Deprecated-Test');
  }
  if (def.os.extra.some((e) => e.name === 'dtb')) messages.taint(DomainTaint.CUSTOM_DTB);
}
