// A xen:///system connection: the method table. The work is in the feature files,
// the state they share in driver-state.ts.

import { hostname } from 'node:os';
import type { NodeInfo } from '@tsvirt/core';
import type { ConnectDriver } from '@tsvirt/core/driver';
import { XenDriverState, type XenConnectionOptions } from './driver-state.js';
import { nodeInfo, xenVersion } from './host.js';
import { domainXmlFromNative, domainXmlToNative } from './native-format.js';

export type { XenConnectionOptions } from './driver-state.js';

export class XenConnection implements ConnectDriver {
  static async open(options: XenConnectionOptions): Promise<XenConnection> {
    return new XenConnection(new XenDriverState(options, await XenDriverState.probeHost(options.xl)));
  }

  readonly #s: XenDriverState;

  private constructor(state: XenDriverState) {
    this.#s = state;
  }

  connectClose(): void { this.#s.closed = true; }
  connectGetType() { return 'Xen'; }
  connectGetLibVersion() { return 9000000; }
  connectGetHostname() { return hostname(); }
  connectGetURI() { return this.#s.options.uri; }
  connectIsAlive() { return !this.#s.closed; }
  connectGetVersion(): number { return xenVersion(this.#s); }
  connectGetNodeInfo(): NodeInfo { return nodeInfo(this.#s); }

  // Conversions need no hypervisor: they work on any host.
  connectDomainXMLToNative(nativeFormat: string, domainXml: string, flags: number): string {
    return domainXmlToNative(nativeFormat, domainXml, flags);
  }
  connectDomainXMLFromNative(nativeFormat: string, nativeConfig: string, flags: number): string {
    return domainXmlFromNative(nativeFormat, nativeConfig, flags);
  }
}
