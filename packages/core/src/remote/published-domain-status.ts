import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DomainStatus } from '../drivers/domain-status.js';

// tsvirtd publishes each domain's status (drivers/domain-status.ts) as files in a
// folder beside its sockets, as nscd shares its cache with glibc: a local client then
// answers lookups, virDomainGetInfo and virDomainGetState with a file read instead of
// two process wake-ups. The daemon writes a domain's files before it replies to any call
// that changed the domain, and replaces each file whole (rename), so a reader sees a
// state at least as new as the last reply any client got. What is not there is asked
// of the daemon, so a missing or unreadable file is never an answer.
//
//   DIR/uuid/UUID   the record, JSON
//   DIR/name/nNAME  a symbolic link to ../uuid/UUID (the name URI-encoded, after an "n")
//   DIR/id/ID       a symbolic link to ../uuid/UUID, while the domain runs

const NAME_MAX = 255;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The record's file, or null when the UUID is not in its canonical form (the daemon then answers). */
export function statusRecordPath(dir: string, uuid: string): string | null {
  return CANONICAL_UUID.test(uuid) ? join(dir, 'uuid', uuid) : null;
}

/** The name's link, or null for a name too long for a file name. */
export function statusNameLinkPath(dir: string, name: string): string | null {
  const file = `n${encodeURIComponent(name)}`;
  return file.length <= NAME_MAX ? join(dir, 'name', file) : null;
}

export function statusIdLinkPath(dir: string, id: number): string {
  return join(dir, 'id', String(id));
}

/** The folders the layout uses under DIR. */
export const STATUS_FOLDERS = ['uuid', 'name', 'id'] as const;

function readRecord(path: string | null): DomainStatus | null {
  if (path === null) return null;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as DomainStatus;
    return typeof record?.name === 'string' && typeof record.uuid === 'string' && Number.isInteger(record.id)
      && typeof record.cpuTime?.clock === 'string' ? record : null;
  } catch {
    return null;
  }
}

/** A client's view of a daemon's published folder: each answer a record, or null (ask the daemon). */
export class PublishedStatusReader {
  constructor(readonly dir: string) {}

  byName(name: string): DomainStatus | null {
    const record = readRecord(statusNameLinkPath(this.dir, name));
    // A rename replaces the record before it removes the old name's link.
    return record?.name === name ? record : null;
  }

  byUuid(uuid: string): DomainStatus | null {
    const record = readRecord(statusRecordPath(this.dir, uuid));
    return record?.uuid === uuid ? record : null;
  }

  byId(id: number): DomainStatus | null {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const record = readRecord(statusIdLinkPath(this.dir, id));
    return record?.id === id ? record : null;
  }
}
