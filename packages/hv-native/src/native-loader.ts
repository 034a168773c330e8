import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { HvNativeError, fromNativeError } from './hv-native-error.js';

/** The functions build/Release/hv_native.node exports (see native/*.cc). */
export interface NativeBinding {
  /** Absent where the CPU has no CPUID instruction (non-x86). */
  cpuid?(leaf: number, subleaf: number): [number, number, number, number];
  kvmProbe(
    path: string,
    extensions: number[],
  ): { apiVersion: number; extensions: number[] | null; cpuid: Uint32Array | null };
  sendFds(socketFd: number, data: Buffer, fds: number[]): number;
  recvFds(
    fd: number,
    maxBytes: number,
    maxFds: number,
    timeoutMs: number,
  ): Promise<{ data: Buffer; fds: number[] }>;
  setAffinity(tid: number, cpus: number[]): void;
  getAffinity(tid: number): number[];
  openTap(name: string, vnetHdr: boolean): { fd: number; name: string };
  peerCredentials(socketFd: number): { uid: number; gid: number; pid: number };
}

export interface NativeStatus {
  loaded: boolean;
  /** Where the addon is looked for. */
  path: string;
  /** Why it is not loaded; null when it is. */
  reason: string | null;
}

// Resolves the same way from src/ (tests) and dist/ (built package).
const addonPath = fileURLToPath(new URL('../build/Release/hv_native.node', import.meta.url));

let attempt: { binding: NativeBinding } | { error: string } | undefined;

/**
 * The addon, or null when it is absent, failed to load, or is switched off with
 * TSVIRT_HV_NATIVE=off. The switch is read on every call, so a process (a test) can
 * flip it; the load itself is tried once.
 */
export function loadNative(): NativeBinding | null {
  if (process.env.TSVIRT_HV_NATIVE === 'off') return null;
  attempt ??= tryLoad();
  return 'binding' in attempt ? attempt.binding : null;
}

export function nativeStatus(): NativeStatus {
  if (process.env.TSVIRT_HV_NATIVE === 'off') {
    return { loaded: false, path: addonPath, reason: 'switched off by TSVIRT_HV_NATIVE=off' };
  }
  attempt ??= tryLoad();
  return 'binding' in attempt
    ? { loaded: true, path: addonPath, reason: null }
    : { loaded: false, path: addonPath, reason: attempt.error };
}

/** The addon, or an UNAVAILABLE error naming the feature that needed it. */
export function requireNative(feature: string): NativeBinding {
  const binding = loadNative();
  if (binding) return binding;
  throw new HvNativeError(
    'UNAVAILABLE',
    `${feature} needs the native addon of @tsvirt/hv-native, which is not loaded: ${nativeStatus().reason}`,
  );
}

/** Runs a native call and turns what it throws into an HvNativeError. */
export function callNative<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromNativeError(err, what);
  }
}

function tryLoad(): { binding: NativeBinding } | { error: string } {
  try {
    return { binding: createRequire(import.meta.url)(addonPath) as NativeBinding };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      error:
        code === 'MODULE_NOT_FOUND'
          ? `${addonPath} is not built; scripts/build-native.mjs builds it (see the README)`
          : `${addonPath} failed to load: ${(err as Error).message}`,
    };
  }
}
