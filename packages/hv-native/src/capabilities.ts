import { accessSync, constants } from 'node:fs';

import { loadNative, nativeStatus, type NativeStatus } from './native-loader.js';

/** Which way a feature works on this host, right now. */
export type FeaturePath = 'native' | 'fallback' | 'unavailable';

export interface FeatureSupport {
  path: FeaturePath;
  /** What the path does, and what is missing when it is not 'native'. */
  detail: string;
}

export interface HvCapabilities {
  /** The addon: loaded, where it is looked for, why not. */
  addon: NativeStatus;
  cpuProbe: FeatureSupport;
  kvmProbe: FeatureSupport;
  fdPassing: FeatureSupport;
  getAffinity: FeatureSupport;
  setAffinity: FeatureSupport;
  tapDevices: FeatureSupport;
  peerCredentials: FeatureSupport;
}

/**
 * Says which path each feature takes, so that a driver can report what it can do
 * (and why not) before trying. Cheap: no probe is run.
 */
export function capabilities(): HvCapabilities {
  const addon = nativeStatus();
  const native = loadNative();
  const without = `native addon not loaded: ${addon.reason}`;
  const procReadable = (path: string): boolean => {
    try {
      accessSync(path, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };

  let cpuProbe: FeatureSupport;
  if (native?.cpuid) {
    cpuProbe = { path: 'native', detail: 'CPUID instruction' };
  } else if (procReadable('/proc/cpuinfo')) {
    cpuProbe = {
      path: 'fallback',
      detail: `/proc/cpuinfo: flags as the kernel shows them; raw cpuid() unavailable: ${
        native ? `no CPUID on ${process.arch}` : without
      }`,
    };
  } else {
    cpuProbe = { path: 'unavailable', detail: `${without}; /proc/cpuinfo unreadable` };
  }

  return {
    addon,
    cpuProbe,
    kvmProbe: native
      ? { path: 'native', detail: '/dev/kvm ioctls: API version, extensions, vCPU limits, supported CPUID' }
      : {
          path: 'fallback',
          detail: `device presence and read-write access only; API version, extensions, vCPU limits and CPUID need the addon: ${without}`,
        },
    fdPassing: native
      ? { path: 'native', detail: 'sendmsg/recvmsg with SCM_RIGHTS' }
      : { path: 'unavailable', detail: `Node has no SCM_RIGHTS: ${without}` },
    getAffinity: native
      ? { path: 'native', detail: 'sched_getaffinity' }
      : procReadable('/proc/self/status')
        ? { path: 'fallback', detail: `Cpus_allowed_list from /proc/<tid>/task/<tid>/status; ${without}` }
        : { path: 'unavailable', detail: `${without}; /proc unreadable` },
    setAffinity: native
      ? { path: 'native', detail: 'sched_setaffinity' }
      : { path: 'unavailable', detail: `Node cannot call sched_setaffinity: ${without}` },
    tapDevices: native
      ? { path: 'native', detail: 'TUNSETIFF on /dev/net/tun' }
      : { path: 'unavailable', detail: `Node cannot issue TUNSETIFF: ${without}` },
    peerCredentials: native
      ? { path: 'native', detail: 'getsockopt SO_PEERCRED: uid, gid and pid of a unix socket\'s peer' }
      : { path: 'unavailable', detail: `Node has no getsockopt: ${without}` },
  };
}
