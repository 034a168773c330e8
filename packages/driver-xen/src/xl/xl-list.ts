// What xl says about the domains that run: `xl list -v` (one line per domain: name,
// id, memory, vCPUs, state letters, CPU time, UUID, shutdown reason) and
// `xl list -l ID` (libxl's domain config as JSON). Another program's output:
// parsed strictly and bounded.

import { ErrorNumber } from '@tsvirt/core';
import { normalizeUuid } from '@tsvirt/core/driver';
import { xenError } from '../xen-errors.js';

export interface XlDomain {
  name: string;
  id: number;
  /** MiB */
  memory: number;
  vcpus: number;
  running: boolean;
  blocked: boolean;
  paused: boolean;
  /** shutting down (or shut down, waiting for the toolstack to reap it) */
  shutdown: boolean;
  crashed: boolean;
  dying: boolean;
  /** seconds */
  cpuTime: number;
  uuid: string;
}

const MAX_DOMAINS = 32_768;
const badOutput = (what: string) => xenError(ErrorNumber.INTERNAL_ERROR, `unexpected output of xl list: ${what}`);

// "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f" then " UUID %8s %16s" with -v; the name may hold spaces, so the fields are read from the right
const LINE = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([r-][b-][p-][s-][-rscwS?][d-])\s+(\d+(?:\.\d+)?)\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+(\S+)(?:\s+\S+)?\s*$/;

/** `xl list -v`'s domains. */
export function parseXlList(text: string): XlDomain[] {
  const lines = text.split('\n').filter((l) => l.trim());
  if (!lines.length || !lines[0].startsWith('Name')) throw badOutput('no header line');
  if (lines.length > MAX_DOMAINS + 1) throw badOutput(`more than ${MAX_DOMAINS} domains`);
  return lines.slice(1).map((line) => {
    const m = LINE.exec(line);
    if (!m) throw badOutput(`line '${line.slice(0, 100)}'`);
    const [, name, id, mem, vcpus, st, time, uuid] = m;
    if (name.length > 1024 || Number(id) > 0x7fff) throw badOutput(`line '${line.slice(0, 100)}'`);
    return {
      name: name.trimEnd(), id: Number(id), memory: Number(mem), vcpus: Number(vcpus),
      running: st[0] === 'r', blocked: st[1] === 'b', paused: st[2] === 'p', shutdown: st[3] === 's', crashed: st[4] === 'c', dying: st[5] === 'd',
      cpuTime: Number(time), uuid: normalizeUuid(uuid)!,
    };
  });
}

/** The parts of libxl's domain config (`xl list -l`) a domain definition is made of. */
export interface XlDomainConfig {
  name: string;
  uuid: string;
  /** pv, pvh or hvm */
  type: string;
  maxMemKiB: number;
  targetMemKiB: number;
  maxVcpus: number;
}

/** One domain's entry of `xl list -l ID`: [{ domid, config: { c_info, b_info, ... } }]. */
export function parseXlListLong(text: string): XlDomainConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw badOutput('xl list -l printed something that is not JSON');
  }
  const entry = Array.isArray(data) ? (data[0] as { config?: { c_info?: Record<string, unknown>; b_info?: Record<string, unknown> } }) : undefined;
  const c = entry?.config?.c_info;
  const b = entry?.config?.b_info ?? {};
  if (!c || typeof c.name !== 'string' || typeof c.uuid !== 'string' || !normalizeUuid(c.uuid)) throw badOutput('a domain config without name or uuid');
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fallback);
  const type = typeof c.type === 'string' && ['pv', 'pvh', 'hvm'].includes(c.type) ? c.type : 'pv';
  return {
    name: c.name.slice(0, 1024), uuid: normalizeUuid(c.uuid)!, type,
    maxMemKiB: num(b.max_memkb, 0), targetMemKiB: num(b.target_memkb, num(b.max_memkb, 0)), maxVcpus: num(b.max_vcpus, 1),
  };
}
