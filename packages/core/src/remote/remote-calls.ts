import type { DomainRef, DomainSnapshotRef } from '../gen/driver.gen.js';
import type { Procedure } from '../gen/procedures.gen.js';
import { RemoteProcedure, remoteProcedureByNumber } from '../gen/remote-program.gen.js';
import type { WireProcedure } from '../rpc/wire-procedure.js';
import { toWire } from '../rpc/wire-values.js';
import type { StorageVolRef } from '../gen/driver.gen.js';

// How an API call travels in libvirt's REMOTE program, beyond its generated row: the
// choices libvirt's own client library and virsh make, so that a libvirt daemon sees what
// it sees from them (and answers the same).

/** What a call needs of the connection it travels on. */
export interface RemoteCallLink {
  call(proc: number, args: unknown): Promise<unknown>;
  /** whether the daemon takes strings among typed parameters (VIR_DRV_FEATURE_TYPED_PARAM_STRING) */
  typedParamStrings(): Promise<boolean>;
}

/**
 * An API call's arguments with the values of the members that carry none of them (the
 * bytes of a CPU map, the most items), by name: what libvirt's client works out first.
 */
export class WithMembers {
  constructor(readonly api: readonly unknown[], readonly members: Readonly<Record<string, unknown>>) {}

  static of(args: unknown): WithMembers {
    return args instanceof WithMembers ? args : new WithMembers(args as unknown[], {});
  }
}

/** VIR_TYPED_PARAM_STRING_OKAY */
const TYPED_PARAM_STRING_OKAY = 4;

/**
 * The typed-parameter reads to which libvirt's client library adds STRING_OKAY when the
 * daemon takes strings (without it the daemon leaves string parameters out).
 */
const STRING_OKAY_READS = new Set([
  'DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS', 'DOMAIN_GET_MEMORY_PARAMETERS', 'DOMAIN_GET_NUMA_PARAMETERS',
  'DOMAIN_GET_BLKIO_PARAMETERS', 'DOMAIN_GET_INTERFACE_PARAMETERS', 'DOMAIN_GET_BLOCK_IO_TUNE',
  'DOMAIN_GET_CPU_STATS', 'DOMAIN_BLOCK_STATS_FLAGS', 'NODE_GET_MEMORY_PARAMETERS',
]);

const hasFlags = (p: WireProcedure): boolean => (p.argMap ?? []).some((a) => a.member === 'flags');

/**
 * The procedures of each API call: one, or a pair where libvirt has the call with and
 * without flags (DOMAIN_ATTACH_DEVICE and DOMAIN_ATTACH_DEVICE_FLAGS).
 */
const byCall = new Map<string, { plain?: WireProcedure; flagged?: WireProcedure }>();
for (const p of remoteProcedureByNumber.values()) {
  if (p.served !== 'api' || p.call === undefined) continue;
  const pair = byCall.get(p.call) ?? {};
  if (hasFlags(p)) pair.flagged ??= p;
  else pair.plain ??= p;
  byCall.set(p.call, pair);
}

/** The domain's shape as calls carry it. */
export const domainShape = byCall.get('domainGetInfo')!.plain!.argMap![0]!.shape;

/** The volume's shape as calls carry it (remote_nonnull_storage_vol: pool, name and key, no path). */
const volumeShape = byCall.get('storageVolGetInfo')!.plain!.argMap![0]!.shape;
/** libvirt's STORAGE_VOL_GET_PATH, where the generated program has it. */
const VOL_GET_PATH = [...remoteProcedureByNumber.values()].find((p) => p.name === 'STORAGE_VOL_GET_PATH');

/**
 * Volumes with their paths: libvirt's program names a volume without its path, which
 * libvirt's clients ask for (virStorageVolGetPath); tsvirt's volume carries it.
 */
async function withPaths(link: RemoteCallLink, value: unknown): Promise<unknown> {
  if (VOL_GET_PATH === undefined) return value;
  const volumes = (Array.isArray(value) ? value : [value]) as StorageVolRef[];
  const withPath = await Promise.all(volumes.map(async (v) => {
    const { name } = (await link.call(VOL_GET_PATH.number, { vol: toWire(volumeShape, v) })) as { name: string };
    return { ...v, path: name };
  }));
  return Array.isArray(value) ? withPath : withPath[0];
}

/** A snapshot as it travels: its domain whole (libvirt's daemon finds the domain by its UUID). */
export interface ResolvedSnapshot extends DomainSnapshotRef {
  readonly domainRef: DomainRef;
}

/** The XDR value of a call's arguments with the snapshots' domains filled in (the generated row knows only their names). */
export function withSnapshotDomains(p: WireProcedure, args: readonly unknown[], value: unknown): unknown {
  for (const a of p.argMap ?? []) {
    const arg = a.arg === null ? undefined : (args[a.arg] as Partial<ResolvedSnapshot> | undefined);
    if (arg?.domainRef !== undefined) ((value as Record<string, Record<string, unknown>>)[a.member]!).dom = toWire(domainShape, arg.domainRef);
  }
  return value;
}

/**
 * The API call `p` over libvirt's program, or null where the program has no procedure
 * for it (the entry layer then says VIR_ERR_NO_SUPPORT).
 */
export function remoteCall(p: Procedure, link: RemoteCallLink): ((...args: unknown[]) => Promise<unknown>) | null {
  const pair = byCall.get(p.driverName);
  // libvirt's streams are not spoken here yet
  if (pair === undefined || p.returns === 'stream') return null;
  const flagsAt = p.args.findIndex((a) => a.name === 'flags');
  const snapshotsAt = p.args.flatMap((a, i) => (a.type === 'DomainSnapshot' ? [i] : []));
  const returnsVolumes = p.returns === 'StorageVol' || p.returns === 'StorageVol[]';
  return async (...args: unknown[]) => {
    const flags = flagsAt < 0 ? 0 : Number(args[flagsAt] ?? 0);
    // as libvirt's virsh: the call without flags when there are none (the daemon's errors name that call)
    const wire = flags === 0 && pair.plain ? pair.plain : (pair.flagged ?? pair.plain)!;
    const sent = [...args];
    if (flagsAt >= 0 && STRING_OKAY_READS.has(wire.name) && (await link.typedParamStrings())) sent[flagsAt] = flags | TYPED_PARAM_STRING_OKAY;
    for (const i of snapshotsAt) {
      const snap = args[i] as DomainSnapshotRef;
      const domainRef = (await link.call(RemoteProcedure.DOMAIN_LOOKUP_BY_NAME, [snap.domain])) as DomainRef;
      sent[i] = { ...snap, domainRef } satisfies ResolvedSnapshot;
    }
    const value = await link.call(wire.number, sent);
    // libvirt's older DOMAIN_CREATE answers nothing: libvirt's client looks the domain up by
    // UUID to learn the id it now has, and so does this one
    if (p.driverName === 'domainCreate' && value === undefined) {
      return link.call(RemoteProcedure.DOMAIN_LOOKUP_BY_UUID, [(args[0] as DomainRef).uuid]);
    }
    return returnsVolumes ? withPaths(link, value) : value;
  };
}
