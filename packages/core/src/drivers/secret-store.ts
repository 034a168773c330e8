// libvirt's secret driver, for every tsvirt driver: secrets by UUID and by usage, their
// values, the list filters, and, for a driver with a config folder, persistence as
// libvirt keeps it (<dir>/<uuid>.xml and <dir>/<uuid>.base64, mode 0600, written
// atomically; ephemeral secrets never touch the disk).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConnectListAllSecretsFlags as F, SecretDefineFlags, SecretEventLifecycleType, type SecretUsageType } from '../gen/api.gen.js';
import type { SecretRef } from '../gen/driver.gen.js';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { normalizeUuid } from '../util/uuid.js';
import { formatSecretXml, parseSecretXml, type SecretDef } from '../xml/secret/secret-xml.js';
import { checkFlags } from './flag-checks.js';

/** What a store tells about its secrets: lifecycle changes and new values (libvirt's secret events). */
export interface SecretEventSink {
  lifecycle(ref: SecretRef, event: SecretEventLifecycleType): void;
  valueChanged(ref: SecretRef): void;
}

interface SecretObject { def: SecretDef; value: Uint8Array | null }

const LIST_FLAGS = F.EPHEMERAL | F.NO_EPHEMERAL | F.PRIVATE | F.NO_PRIVATE;

const check = (flags: number, supported: number, fn: string) => checkFlags(flags, supported, fn, ErrorDomain.SECRET);
const noSecret = (message: string) => VirError.of(ErrorNumber.NO_SECRET, ErrorDomain.SECRET, message);
const internal = (message: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.SECRET, message);

/** A secret as applications get it: its UUID and usage, plain data. */
const refOf = (def: SecretDef): SecretRef => ({ uuid: def.uuid, usageType: def.usageType, usageID: def.usageID });

/** Whether a secret passes a pair of exclusive filter flags (neither or both: every secret). */
const passes = (flags: number, yes: number, no: number, has: boolean) =>
  (flags & (yes | no)) === 0 || (flags & (yes | no)) === (yes | no) || ((flags & yes) !== 0) === has;

export class SecretStore {
  readonly #byUuid = new Map<string, SecretObject>();

  /** `dir`: where persistent secrets are kept, or null for a store in memory only (the test driver's). */
  private constructor(private readonly dir: string | null, private readonly events: SecretEventSink | null) {}

  /** A store in memory only (the test driver's). */
  static inMemory(events: SecretEventSink | null = null): SecretStore {
    return new SecretStore(null, events);
  }

  /** A store, with the persistent secrets of `dir` loaded; a file that does not load is skipped, as libvirt does. */
  static async open(dir: string | null, events: SecretEventSink | null = null): Promise<SecretStore> {
    const store = new SecretStore(dir, events);
    if (dir !== null) await store.#load(dir);
    return store;
  }

  async #load(dir: string): Promise<void> {
    const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.xml') && !n.startsWith('.'));
    for (const file of files) {
      try {
        const def = parseSecretXml(await fs.readFile(path.join(dir, file)));
        if (def.ephemeral || `${def.uuid}.xml` !== file) continue;
        const text = await fs.readFile(path.join(dir, `${def.uuid}.base64`), 'utf8').catch(() => null);
        this.#byUuid.set(def.uuid, { def, value: text === null ? null : new Uint8Array(Buffer.from(text, 'base64')) });
      } catch (e) {
        process.stderr.write(`tsvirt: Failed to load secret from ${path.join(dir, file)}: ${(e as Error).message}\n`);
      }
    }
  }

  list(flags: number): SecretRef[] {
    check(flags, LIST_FLAGS, 'secretConnectListAllSecrets');
    return [...this.#byUuid.values()]
      .filter(({ def }) => passes(flags, F.EPHEMERAL, F.NO_EPHEMERAL, def.ephemeral) && passes(flags, F.PRIVATE, F.NO_PRIVATE, def.private))
      .map(({ def }) => refOf(def));
  }

  #get(uuid: string): SecretObject {
    const obj = this.#byUuid.get(normalizeUuid(uuid) ?? uuid);
    if (!obj) throw noSecret(`no secret with matching uuid '${uuid}'`);
    return obj;
  }

  #byUsage(usageType: SecretUsageType, usageID: string): SecretObject | undefined {
    for (const obj of this.#byUuid.values()) if (obj.def.usageType === usageType && obj.def.usageID === usageID) return obj;
    return undefined;
  }

  lookupByUuid(uuid: string): SecretRef { return refOf(this.#get(uuid).def); }

  lookupByUsage(usageType: SecretUsageType, usageID: string): SecretRef {
    const obj = this.#byUsage(usageType, usageID);
    if (!obj) throw noSecret(`no secret with matching usage '${usageID}'`);
    return refOf(obj.def);
  }

  /**
   * Define a secret, or redefine the one with its UUID (keeping its value): its usage may
   * not change, nor a private secret become public, and no other secret may have its usage.
   */
  async define(xml: string, flags: number): Promise<SecretRef> {
    check(flags, SecretDefineFlags.VALIDATE, 'secretDefineXML');
    const def = parseSecretXml(xml);
    const old = this.#byUuid.get(def.uuid);
    if (old) {
      if (old.def.usageType !== def.usageType || old.def.usageID !== def.usageID) {
        throw internal(`a secret with UUID ${def.uuid} is already defined for use with ${old.def.usageID}`);
      }
      if (old.def.private && !def.private) throw internal('cannot change private flag on existing secret');
    } else if (def.usageType !== 0) {
      const other = this.#byUsage(def.usageType, def.usageID);
      if (other) throw internal(`a secret with UUID ${other.def.uuid} already defined for use with ${def.usageID}`);
    }
    const obj: SecretObject = { def, value: old?.value ?? null };
    if (this.dir !== null) {
      if (!def.ephemeral) {
        await this.#saveDef(def);
        if (obj.value !== null) await this.#saveValue(def.uuid, obj.value);
      } else if (old && !old.def.ephemeral) {
        await this.#removeFiles(def.uuid);
      }
    }
    this.#byUuid.set(def.uuid, obj);
    this.events?.lifecycle(refOf(def), SecretEventLifecycleType.DEFINED);
    return refOf(def);
  }

  xml(ref: SecretRef, flags: number): string {
    check(flags, 0, 'secretGetXMLDesc');
    return formatSecretXml(this.#get(ref.uuid).def);
  }

  async setValue(ref: SecretRef, value: Uint8Array, flags: number): Promise<void> {
    check(flags, 0, 'secretSetValue');
    const obj = this.#get(ref.uuid);
    const copy = new Uint8Array(value);
    if (this.dir !== null && !obj.def.ephemeral) await this.#saveValue(obj.def.uuid, copy);
    obj.value = copy;
    this.events?.valueChanged(refOf(obj.def));
  }

  /** The value; a private secret's only for the driver's own use (`internal`), as in libvirt. */
  getValue(ref: SecretRef, flags: number, internal = false): Uint8Array {
    check(flags, 0, 'secretGetValue');
    const obj = this.#get(ref.uuid);
    if (obj.def.private && !internal) throw VirError.of(ErrorNumber.INVALID_SECRET, ErrorDomain.SECRET, 'secret is private');
    if (obj.value === null) throw noSecret(`secret '${obj.def.uuid}' does not have a value`);
    return new Uint8Array(obj.value);
  }

  async undefine(ref: SecretRef): Promise<void> {
    const obj = this.#get(ref.uuid);
    if (this.dir !== null && !obj.def.ephemeral) await this.#removeFiles(obj.def.uuid);
    this.#byUuid.delete(obj.def.uuid);
    obj.value?.fill(0);
    this.events?.lifecycle(refOf(obj.def), SecretEventLifecycleType.UNDEFINED);
  }

  async #saveDef(def: SecretDef): Promise<void> {
    await fs.mkdir(this.dir!, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir!, `${def.uuid}.xml`), formatSecretXml(def), 0o600);
  }

  async #saveValue(uuid: string, value: Uint8Array): Promise<void> {
    await fs.mkdir(this.dir!, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(this.dir!, `${uuid}.base64`), Buffer.from(value).toString('base64'), 0o600);
  }

  async #removeFiles(uuid: string): Promise<void> {
    await Promise.all(['xml', 'base64'].map((ext) => fs.rm(path.join(this.dir!, `${uuid}.${ext}`), { force: true })));
  }
}
