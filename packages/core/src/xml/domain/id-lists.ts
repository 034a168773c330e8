import { xmlError } from './conf-errors.js';

// libvirt's lists of CPU, vCPU and thread numbers: '0-3,^2,8'.

/** The numbers a list names, ascending; an error for a malformed list. */
export function parseIdList(text: string, limit = 1 << 16): number[] {
  const on = new Set<number>();
  const off = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\^)?(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw xmlError(`Failed to parse bitmap '${text}'`);
    const from = Number(m[2]);
    const to = m[3] === undefined ? from : Number(m[3]);
    if (to < from || to >= limit) throw xmlError(`Failed to parse bitmap '${text}'`);
    for (let i = from; i <= to; i++) (m[1] ? off : on).add(i);
  }
  return [...on].filter((i) => !off.has(i)).sort((a, b) => a - b);
}

/** Ascending numbers as libvirt writes them: runs as ranges ('0-1,3'). */
export function formatIdList(ids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
