// virConnectGetDomainCapabilities for QEMU: what a domain of this emulator,
// machine and virtualization type may use, limited to what xml-to-native.ts
// can express, in libvirt's <domainCapabilities> format.

import { ErrorNumber } from '@tsvirt/core';
import { escapeXml } from '@tsvirt/core/xml';
import type { QemuCapabilities } from './qemu-capabilities.js';
import { qemuError } from './qemu-errors.js';
import { SUPPORTED_DEVICES } from './xml-to-native.js';

export interface DomainCapabilitiesQuery {
  arch?: string;
  machine?: string;
  virttype?: string;
}

const enumXml = (indent: string, name: string, values: readonly string[]) =>
  `${indent}<enum name='${name}'>\n${values.map((v) => `${indent}  <value>${escapeXml(v)}</value>\n`).join('')}${indent}</enum>\n`;

// What libvirt lists that this driver cannot configure (yet): said, not left out.
const UNSUPPORTED_FEATURES = ['gic', 'vmcoreinfo', 'backingStoreInput', 'backup', 'sev', 'sgx'];

/** A device element with one enum per property, as libvirt lists a device's choices. */
const deviceXml = (name: string, enums: Readonly<Record<string, readonly string[]>>) =>
  `    <${name} supported='yes'>\n${Object.entries(enums).map(([k, v]) => enumXml('      ', k, v)).join('')}    </${name}>\n`;
const unsupported = (indent: string, names: string[]) => names.map((n) => `${indent}<${n} supported='no'/>\n`).join('');

export function formatDomainCapabilities(qemu: QemuCapabilities, query: DomainCapabilitiesQuery): string {
  const arch = query.arch ?? 'x86_64';
  if (arch !== 'x86_64') throw qemuError(ErrorNumber.INVALID_ARG, `Emulator '${qemu.binary}' does not support arch '${arch}'`);
  const virttype = query.virttype ?? (qemu.accelerators.includes('kvm') ? 'kvm' : 'qemu');
  if (virttype !== 'qemu' && virttype !== 'kvm') throw qemuError(ErrorNumber.INVALID_ARG, `unknown virttype: ${virttype}`);
  if (virttype === 'kvm' && !qemu.accelerators.includes('kvm')) {
    throw qemuError(ErrorNumber.CONFIG_UNSUPPORTED, `KVM is not supported by '${qemu.binary}' on this host`);
  }
  const wanted = query.machine ?? qemu.machines.find((m) => m.isDefault)?.name ?? 'pc';
  const machine = qemu.machines.find((m) => m.name === wanted || m.alias === wanted);
  if (!machine) throw qemuError(ErrorNumber.INVALID_ARG, `the machine '${wanted}' is not supported by emulator '${qemu.binary}'`);
  const models = qemu.cpuModels.map((m) => `      <model usable='${m.usable ? 'yes' : 'no'}'>${escapeXml(m.name)}</model>\n`).join('');
  const d = SUPPORTED_DEVICES;
  return `<domainCapabilities>
  <path>${escapeXml(qemu.binary)}</path>
  <domain>${virttype}</domain>
  <machine>${escapeXml(machine.name)}</machine>
  <arch>${arch}</arch>
  <vcpu max='${machine.maxCpus}'/>
  <iothreads supported='yes'/>
  <os supported='yes'>
${enumXml('    ', 'firmware', [])}    <loader supported='no'/>
  </os>
  <cpu>
    <mode name='host-passthrough' supported='${virttype === 'kvm' ? 'yes' : 'no'}'/>
    <mode name='maximum' supported='yes'/>
    <mode name='host-model' supported='yes'/>
    <mode name='custom' supported='yes'>
${models}    </mode>
  </cpu>
  <memoryBacking supported='yes'>
${enumXml('    ', 'sourceType', d.memoryBackingSourceType)}  </memoryBacking>
  <devices>
    <disk supported='yes'>
${enumXml('      ', 'diskDevice', d.diskDevice)}${enumXml('      ', 'bus', d.diskBus)}    </disk>
    <graphics supported='yes'>
${enumXml('      ', 'type', d.graphicsType)}    </graphics>
    <video supported='yes'>
${enumXml('      ', 'modelType', d.videoModelType)}    </video>
${(['hostdev', 'rng', 'filesystem', 'tpm', 'redirdev', 'channel'] as const).map((n) => deviceXml(n, d[n])).join('')}  </devices>
  <features>
${unsupported('    ', UNSUPPORTED_FEATURES.slice(0, 2))}    <genid supported='yes'/>
${unsupported('    ', UNSUPPORTED_FEATURES.slice(2))}  </features>
</domainCapabilities>
`;
}
