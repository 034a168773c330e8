// The transport options every virtio device takes from its <driver> element.

import { childElement, type XmlElement } from '@tsvirt/core/xml';
import type { QemuOptValue } from './qemu-opts.js';

const onOff = (value: string | undefined) => (value === undefined ? undefined : value === 'on');

/** iommu_platform=, ats=, packed= and page-per-vq= of a virtio device, from <driver iommu= ats= packed= page_per_vq=>. */
export function virtioOptions(el: XmlElement | undefined): Record<string, QemuOptValue> {
  const driver = el && childElement(el, 'driver')?.attrs;
  if (!driver) return {};
  // the IOMMU feature is a virtio 1.0 one: a transitional device on a conventional bus must drop its legacy interface
  const iommu = onOff(driver.iommu);
  return {
    'disable-legacy': iommu ? 'on' : undefined, iommu_platform: iommu, ats: onOff(driver.ats), packed: onOff(driver.packed), 'page-per-vq': onOff(driver.page_per_vq),
  };
}
