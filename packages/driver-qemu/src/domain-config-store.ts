// Persistent domain definitions, <configDir>/<name>.xml, and autostart links,
// <configDir>/autostart/<name>.xml, as libvirt keeps them.

import { formatDomainXml, parseDomainXml, type DomainDef } from '@tsvirt/core/xml';
import { XmlConfigStore } from './xml-config-store.js';

export class DomainConfigStore extends XmlConfigStore<DomainDef> {
  constructor(configDir: string) {
    super(configDir, { kind: 'domain', parse: parseDomainXml, format: (def) => formatDomainXml(def, { inactive: true, secure: true }) });
  }
}
