// libvirt's rules for <video>: one primary card, written first; the memory and head
// count a card of each model has when the document does not say.

import { childElements, element, type XmlElement } from '../xml-element.js';
import { xmlError } from './conf-errors.js';
import { ensureChild } from './device-elements.js';

/** Video RAM, KiB, of a card of each model by default. */
const DEFAULT_VRAM: Record<string, number> = { vga: 16384, cirrus: 16384, vmvga: 16384, bochs: 16384, qxl: 65536, xen: 4096 };
/** qxl's other memory bar, KiB. */
const QXL_RAM = 65536;

function fillModel(video: XmlElement, defaultType: string): void {
  const model = ensureChild(video, 'model');
  model.attrs.type ??= defaultType;
  const type = model.attrs.type;
  if (type === 'none') return;
  const vram = DEFAULT_VRAM[type];
  if (model.attrs.vram === undefined && vram !== undefined) model.attrs.vram = String(vram);
  if (type === 'qxl') model.attrs.ram ??= String(QXL_RAM);
  model.attrs.heads ??= '1';
}

/**
 * The videos in libvirt's order, filled in: the card marked primary (else the first)
 * first and marked so, the others unmarked.
 */
export function fillVideos(videos: XmlElement[], defaultType: string): XmlElement[] {
  const marked = videos.filter((v) => childElements(v, 'model')[0]?.attrs.primary === 'yes');
  if (marked.length > 1) throw xmlError('Only one primary video device is supported');
  const ordered = marked.length ? [marked[0], ...videos.filter((v) => v !== marked[0])] : videos;
  ordered.forEach((v, i) => {
    fillModel(v, defaultType);
    const model = childElements(v, 'model')[0];
    if (i === 0 && model.attrs.type !== 'none') model.attrs.primary = 'yes';
    else delete model.attrs.primary;
  });
  return ordered;
}

/** The card added for graphics when none is defined. */
export const implicitVideo = (): XmlElement => element('video');
