import { DomainMessageType } from '../gen/api.gen.js';

/**
 * Why a domain is tainted: libvirt's virDomainTaintFlags. The values matter beyond
 * identity: virDomainGetMessages lists taints in this order, whatever order they were
 * recorded in. Only the reasons some tsvirt driver records are listed.
 */
export const DomainTaint = {
  HIGH_PRIVILEGES: 2,
  SHELL_SCRIPTS: 3,
  CDROM_PASSTHROUGH: 8,
  CUSTOM_DTB: 9,
  DEPRECATED_CONFIG: 12,
} as const;
export type DomainTaint = (typeof DomainTaint)[keyof typeof DomainTaint];

/** How libvirt words each taint after "tainted: ". */
const TAINT_TEXT: Record<DomainTaint, string> = {
  [DomainTaint.HIGH_PRIVILEGES]: 'running with undesirable elevated privileges',
  [DomainTaint.SHELL_SCRIPTS]: 'network configuration using opaque shell scripts',
  [DomainTaint.CDROM_PASSTHROUGH]: 'use of host cdrom passthrough',
  [DomainTaint.CUSTOM_DTB]: 'custom device tree blob used',
  [DomainTaint.DEPRECATED_CONFIG]: 'use of deprecated configuration settings',
};

/** What a domain has been marked with since it was loaded or defined: the state behind virDomainGetMessages. */
export class DomainMessages {
  private readonly taints = new Set<DomainTaint>();
  private readonly deprecations: string[] = [];

  taint(t: DomainTaint): void {
    this.taints.add(t);
  }

  deprecate(what: string): void {
    if (!this.deprecations.includes(what)) this.deprecations.push(what);
  }

  /** The messages of the kinds `flags` asks for (none: all), taints first, as libvirt lists them. */
  list(flags = 0): string[] {
    const all = flags === 0;
    const out: string[] = [];
    if (all || flags & DomainMessageType.TAINTING) {
      for (const t of [...this.taints].sort((a, b) => a - b)) out.push(`tainted: ${TAINT_TEXT[t]}`);
    }
    if (all || flags & DomainMessageType.DEPRECATION) {
      for (const d of this.deprecations) out.push(`deprecated configuration: ${d}`);
    }
    return out;
  }
}
