// Persistent domain definitions, <configDir>/<name>.xml, and autostart links,
// <configDir>/autostart/<name>.xml, as libvirt keeps them.

import type { DomainDef } from '../xml/domain/domain-def.js';
import { formatDomainXml } from '../xml/domain/domain-format.js';
import { parseDomainXml } from '../xml/domain/domain-parse.js';
import { XmlConfigStore } from './xml-config-store.js';

export class DomainConfigStore extends XmlConfigStore<DomainDef> {
  constructor(configDir: string) {
    super(configDir, { kind: 'domain', parse: parseDomainXml, format: (def) => formatDomainXml(def, { inactive: true, secure: true }) });
  }
}
