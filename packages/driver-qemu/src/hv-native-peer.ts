// @tsvirt/hv-native is optional: loaded on first use, undefined when not installed.
// A variable specifier keeps TypeScript from requiring it at compile time too.

/** The parts of hv-native the QEMU driver uses. */
export interface HvNative {
  setAffinity(tid: number, cpus: readonly number[]): void;
  probeCpu(): { vendor: string | null; modelName: string | null; flags: string[] };
  /** absent from builds older than tap support */
  openTap?(name: string, vnetHdr?: boolean): { fd: number; name: string };
}

const HV_NATIVE = '@tsvirt/hv-native';
let loaded: Promise<HvNative | undefined> | undefined;

export function loadHvNative(): Promise<HvNative | undefined> {
  loaded ??= (import(HV_NATIVE) as Promise<HvNative>).catch(() => undefined);
  return loaded;
}
