import { escapeXml, formatAttrs } from './xml-element.js';

/** The host and guest capabilities of a driver, as libvirt's capabilities XML describes them. */
export interface Capabilities {
  host: {
    uuid?: string;
    arch: string;
    /** old-style features, written as <features><pae/></features> (the test driver's) */
    cpuFeatures: string[];
    cpuVendor?: string;
    cpuTopology?: { sockets: number; dies: number; cores: number; threads: number };
    /** features written as <feature name='x'/>, as hypervisor drivers report the host CPU */
    cpuFeatureNames?: string[];
    /** page sizes in KiB */
    pageSizes: number[];
    cells: CapsCell[];
    secmodels: { model: string; doi: string }[];
  };
  guests: CapsGuest[];
}

export interface CapsCell {
  id: number;
  memoryKiB: number;
  /** free pages per size (KiB) */
  pages: { size: number; count: number }[];
  cpus: { id: number; socketId: number; dieId: number; coreId: number; siblings: string }[];
}

export interface CapsGuest {
  osType: string;
  arch: string;
  wordsize: number;
  emulator: string;
  /** the firmware guests of this kind boot (Xen's hvmloader) */
  loader?: string;
  machines?: { name: string; canonical?: string; maxCpus?: number }[];
  domainTypes: string[];
  /** a bare name (<pae/>), or a feature a domain may turn on or off (<acpi default='on' toggle='yes'/>) */
  features: (string | CapsGuestToggle)[];
}

export interface CapsGuestToggle {
  name: string;
  default: 'on' | 'off';
  toggle: 'yes' | 'no';
}

const guestFeature = (f: string | CapsGuestToggle) => (typeof f === 'string' ? `<${f}/>` : `<${f.name}${formatAttrs({ default: f.default, toggle: f.toggle })}/>`);

export function formatCapabilitiesXml(caps: Capabilities): string {
  const h = caps.host;
  let s = '<capabilities>\n\n  <host>\n';
  if (h.uuid) s += `    <uuid>${h.uuid}</uuid>\n`;
  s += `    <cpu>\n      <arch>${h.arch}</arch>\n`;
  if (h.cpuFeatures.length) s += `      <features>\n${h.cpuFeatures.map((f) => `        <${f}/>\n`).join('')}      </features>\n`;
  if (h.cpuVendor) s += `      <vendor>${escapeXml(h.cpuVendor)}</vendor>\n`;
  if (h.cpuTopology) s += `      <topology${formatAttrs(h.cpuTopology)}/>\n`;
  s += (h.cpuFeatureNames ?? []).map((f) => `      <feature name='${escapeXml(f)}'/>\n`).join('');
  s += h.pageSizes.map((p) => `      <pages unit='KiB' size='${p}'/>\n`).join('');
  s += '    </cpu>\n    <power_management/>\n    <iommu support=\'no\'/>\n';
  s += `    <topology>\n      <cells num='${h.cells.length}'>\n`;
  for (const c of h.cells) {
    s += `        <cell id='${c.id}'>\n          <memory unit='KiB'>${c.memoryKiB}</memory>\n`;
    s += c.pages.map((p) => `          <pages unit='KiB' size='${p.size}'>${p.count}</pages>\n`).join('');
    s += `          <cpus num='${c.cpus.length}'>\n`;
    s += c.cpus.map((p) => `            <cpu${formatAttrs({ id: p.id, socket_id: p.socketId, die_id: p.dieId, core_id: p.coreId, siblings: p.siblings })}/>\n`).join('');
    s += '          </cpus>\n        </cell>\n';
  }
  s += '      </cells>\n    </topology>\n';
  for (const m of h.secmodels) s += `    <secmodel>\n      <model>${m.model}</model>\n      <doi>${m.doi}</doi>\n    </secmodel>\n`;
  s += '  </host>\n\n';
  for (const g of caps.guests) {
    s += `  <guest>\n    <os_type>${g.osType}</os_type>\n    <arch${formatAttrs({ name: g.arch })}>\n      <wordsize>${g.wordsize}</wordsize>\n      <emulator>${g.emulator}</emulator>\n`;
    if (g.loader) s += `      <loader>${escapeXml(g.loader)}</loader>\n`;
    for (const m of g.machines ?? []) s += `      <machine${formatAttrs({ canonical: m.canonical, maxCpus: m.maxCpus })}>${m.name}</machine>\n`;
    s += g.domainTypes.map((t) => `      <domain type='${t}'/>\n`).join('');
    s += '    </arch>\n';
    if (g.features.length) s += `    <features>\n${g.features.map((f) => `      ${guestFeature(f)}\n`).join('')}    </features>\n`;
    s += '  </guest>\n\n';
  }
  return `${s}</capabilities>\n`;
}
