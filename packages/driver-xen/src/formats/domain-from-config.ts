// An xl.cfg or xm config as a domain definition: the text is parsed, its settings read
// into domain XML elements, and the tree becomes a definition through core's domain
// parser, with the Xen driver's defaults, exactly as a domain XML document would.

import { ErrorDomain } from '@tsvirt/core';
import { domainDefFromTree, element, type DomainDef } from '@tsvirt/core/xml';
import { ConfigReader } from './config-settings.js';
import { parseConfig } from './config-syntax.js';
import type { DomainParts } from './xen-config-parse.js';
import { applyXenDefaults } from './xen-domain-defaults.js';
import { parseXlConfig, XEN_NAMESPACE } from './xl-config-parse.js';
import { parseXmConfig } from './xm-config-parse.js';

function definition(p: DomainParts): DomainDef {
  const attrs: Record<string, string> = { type: 'xen' };
  if (p.top.some((e) => e.name.startsWith('xen:'))) attrs['xmlns:xen'] = XEN_NAMESPACE;
  const root = element('domain', attrs, [
    ...p.top,
    element('os', {}, [element('type', {}, [p.osType]), ...p.os]),
    ...(p.features.length ? [element('features', {}, p.features)] : []),
    ...(p.cpu ? [p.cpu] : []),
    element('devices', {}, p.devices),
  ]);
  const def = domainDefFromTree(root);
  // libvirt's XML parser makes a CD-ROM with no medium a 'file' disk; a definition read from
  // a config never went through it, and keeps the type the config gave (phy: is 'block')
  const types = new Map(def.devices.flatMap((d) => (d.kind === 'disk' ? [[d, d.type] as const] : [])));
  applyXenDefaults(def);
  for (const [disk, type] of types) disk.type = type;
  return def;
}

/** An xl.cfg as a domain definition. */
export function domainFromXlConfig(text: string): DomainDef {
  return definition(parseXlConfig(new ConfigReader(parseConfig(text, 'xl'), 'xl', ErrorDomain.XENXL)));
}

/** An xm config as a domain definition. */
export function domainFromXmConfig(text: string): DomainDef {
  return definition(parseXmConfig(new ConfigReader(parseConfig(text, 'xm'), 'xm', ErrorDomain.XENXM)));
}
