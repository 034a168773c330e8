import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wireArgs } from './dispatcher.js';
import {
  STATUS_FOLDERS, statusIdLinkPath, statusNameLinkPath, statusRecordPath,
  type ConnectDriver, type DomainRef, type DomainStatus, type Procedure, type StatusReportingDriver,
} from '@tsvirt/core';

/** What was last written for a domain, so that unchanged records are not written again. */
interface Written {
  json: string;
  nameLink: string | null;
  idLink: string | null;
}

/** Object types whose calls leave every domain as it was. */
const NOT_DOMAINS = new Set(['Network', 'StoragePool', 'StorageVol', 'Interface', 'NodeDevice']);

/** A call on, for or returning a network, pool, volume, interface or node device (networkDefineXML, say). */
const aboutOtherObjects = (p: Procedure) =>
  [p.object, p.returns.replace(/\[\]$/, ''), ...wireArgs(p).map((a) => a.type)].some((type) => NOT_DOMAINS.has(type));

const TMP = '.tmp';

/**
 * Keeps a shared driver connection's domain status published in a folder for local
 * clients (the layout: core's published-domain-status.ts). Every write is synchronous
 * and whole-file (rename), and the daemon calls it before it replies to the call that
 * changed a domain, so no client can read a state older than a reply it has seen.
 */
export class DomainStatusPublisher {
  readonly #written = new Map<string, Written>();
  readonly #tmp: string;
  #closed = false;

  constructor(readonly dir: string, private readonly driver: ConnectDriver & StatusReportingDriver) {
    // A new folder: the daemon clears the status root at start and numbers folders afresh.
    for (const folder of STATUS_FOLDERS) mkdirSync(join(dir, folder), { recursive: true, mode: 0o755 });
    this.#tmp = join(dir, TMP);
  }

  /** Publish every domain the driver has, and forget those it no longer has. */
  async publishAll(): Promise<void> {
    const refs = (await this.driver.connectListAllDomains?.(0)) ?? [];
    const seen = new Set(refs.map((r) => r.uuid));
    this.#guarded(() => {
      for (const uuid of seen) this.#refresh(uuid);
      for (const uuid of [...this.#written.keys()]) if (!seen.has(uuid)) this.#refresh(uuid);
    });
  }

  /**
   * After a write call, whether it succeeded or not: the domains it named or returned,
   * or all of them when it named none.
   */
  async afterWrite(p: Procedure, args: readonly unknown[], result: unknown): Promise<void> {
    const uuids = touchedDomains(p, args, result);
    if (uuids.length) this.#guarded(() => uuids.forEach((uuid) => this.#refresh(uuid)));
    else if (!aboutOtherObjects(p)) await this.publishAll();
  }

  /** A domain event: the domain may have changed without a call (a guest that shut itself down). */
  domainChanged(uuid: string): void {
    this.#guarded(() => this.#refresh(uuid));
  }

  close(): void {
    this.#closed = true;
    rmSync(this.dir, { recursive: true, force: true });
    this.#written.clear();
  }

  /**
   * A folder that cannot be written any more (disk full, say) is removed rather than
   * left stale: clients then find no files and ask the daemon.
   */
  #guarded(work: () => void): void {
    if (this.#closed) return;
    try {
      work();
    } catch (e) {
      process.stderr.write(`tsvirtd: domain status no longer published in ${this.dir}: ${(e as Error).message}\n`);
      this.close();
    }
  }

  /** Write one domain's record and links as the driver now has them, or remove them when it has none. */
  #refresh(uuid: string): void {
    const path = statusRecordPath(this.dir, uuid);
    if (path === null) return;
    let status: DomainStatus | null;
    try {
      status = this.driver.domainStatus({ name: '', uuid, id: -1 });
    } catch {
      status = null;
    }
    const old = this.#written.get(uuid);
    if (status === null) {
      if (!old) return;
      // Links first: a reader never follows one to a missing record and stops there.
      removeFile(old.nameLink);
      removeFile(old.idLink);
      removeFile(path);
      this.#written.delete(uuid);
      return;
    }
    const json = JSON.stringify(status);
    if (old?.json === json) return;
    // The record before the links that lead to it; a new name's link before the old one goes.
    this.#replace(path, () => writeFileSync(this.#tmp, json, { mode: 0o644 }));
    const target = join('..', 'uuid', uuid);
    const nameLink = statusNameLinkPath(this.dir, status.name);
    const idLink = status.id > 0 ? statusIdLinkPath(this.dir, status.id) : null;
    if (nameLink !== null && nameLink !== old?.nameLink) this.#replace(nameLink, () => symlinkSync(target, this.#tmp));
    if (idLink !== null && idLink !== old?.idLink) this.#replace(idLink, () => symlinkSync(target, this.#tmp));
    if (old?.nameLink !== nameLink) removeFile(old?.nameLink ?? null);
    if (old?.idLink !== idLink) removeFile(old?.idLink ?? null);
    this.#written.set(uuid, { json, nameLink, idLink });
  }

  /**
   * Make a file at the temporary name, then rename it over `path`: readers see the old
   * file or the new, never a part. The temporary name is always renamed away (a failure
   * closes the publisher, and a new daemon starts with an empty folder).
   */
  #replace(path: string, make: () => void): void {
    make();
    renameSync(this.#tmp, path);
  }
}

function removeFile(path: string | null): void {
  if (path === null) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The UUIDs of the domains a call named (domains, or a snapshot's domain) or returned. */
function touchedDomains(p: Procedure, args: readonly unknown[], result: unknown): string[] {
  const uuids: string[] = [];
  const add = (ref: unknown) => {
    const uuid = (ref as DomainRef | undefined)?.uuid;
    if (typeof uuid === 'string') uuids.push(uuid);
  };
  wireArgs(p).forEach((a, i) => {
    if (a.type === 'Domain') add(args[i]);
    else if (a.type === 'DomainSnapshot') add((args[i] as { domain?: unknown } | undefined)?.domain);
  });
  if (result === undefined) return uuids;
  if (p.returns === 'Domain') add(result);
  else if (p.returns === 'Domain[]' && Array.isArray(result)) result.forEach(add);
  else if (p.returns === 'DomainSnapshot') add((result as { domain?: unknown }).domain);
  return uuids;
}
