// The state behind a xen:///system connection: the xl toolstack it drives, what xl
// said about the host when the connection opened, and the folders it keeps.

import { XlFailure, runXl, type XlOptions, type XlResult } from './xl/xl-command.js';
import { parseXlInfo, type XlHostInfo } from './xl/xl-info.js';
import type { XenDirs } from './xen-dirs.js';
import { noHypervisor } from './xen-errors.js';

export interface XenConnectionOptions {
  uri: string;
  dirs: XenDirs;
  xl: XlOptions;
}

/** The host facts, or why no hypervisor answers (the connection then serves conversions only). */
export type HostProbe = { info: XlHostInfo } | { absent: string };

export class XenDriverState {
  closed = false;

  constructor(readonly options: XenConnectionOptions, readonly probe: HostProbe) {}

  /** Ask xl about the host: a hypervisor that xl cannot reach is not an error here, it is a fact. */
  static async probeHost(xl: XlOptions): Promise<HostProbe> {
    try {
      return { info: parseXlInfo((await runXl(xl, ['info'])).stdout) };
    } catch (e) {
      if (e instanceof XlFailure) return { absent: e.detail };
      throw e;
    }
  }

  /** The host facts; on a host without a hypervisor, libvirt's error for a call that needs one. */
  host(): XlHostInfo {
    if ('absent' in this.probe) throw noHypervisor(this.options.xl.binary, this.probe.absent);
    return this.probe.info;
  }

  /** Run xl for a call that needs the hypervisor. */
  xl(args: readonly string[], input?: string): Promise<XlResult> {
    this.host();
    return runXl(this.options.xl, args, input);
  }
}
