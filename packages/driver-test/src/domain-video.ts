import type { DomainDef } from '@tsvirt/core/xml';

/**
 * The video card libvirt's test driver gives graphics that name none: a Xen paravirtual
 * framebuffer for paravirtualized guests, VGA on ppc64 (which has no Cirrus card), Cirrus
 * otherwise.
 */
export function testVideoModel(def: DomainDef): string {
  if (def.os.type === 'xen' || def.os.type === 'linux') return 'xen';
  if (def.os.arch === 'ppc64' || def.os.arch === 'ppc64le') return 'vga';
  return 'cirrus';
}
