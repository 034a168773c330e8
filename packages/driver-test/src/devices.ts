import { DomainDeviceModifyFlags as Dev, ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { deviceElementName, parseDevice, parseXmlDocument, type DeviceDef, type DomainDef } from '@tsvirt/core/xml';
import { randomBytes } from 'node:crypto';
import type { TestDomain } from './test-domain.js';
import { checkFlags } from './test-errors.js';

// Device hot-plug for the mock hypervisor. libvirt's test driver has none; tsvirt adds it
// (see DIFFERENCES.md) so that applications can test their device handling. LIVE changes
// the running definition, CONFIG the persistent one, CURRENT whichever the domain's state names.

const missing = (info: string) => VirError.of(ErrorNumber.DEVICE_MISSING, ErrorDomain.TEST, info);
const failed = (info: string) => VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.TEST, info);

const parseDeviceXml = (xml: string) => parseDevice(parseXmlDocument(xml, '(device_definition)'));

/** A locally administered MAC in QEMU's range, as libvirt assigns one to an interface without. */
const newMac = () => `52:54:00:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

/** The index of the device in `def` that `dev` names: a disk by target, an interface by MAC, another by element. */
function indexOfDevice(def: DomainDef, dev: DeviceDef): number {
  return def.devices.findIndex((d) => {
    if (dev.kind === 'disk') return d.kind === 'disk' && d.target.dev === dev.target.dev;
    if (dev.kind === 'interface') return d.kind === 'interface' && (dev.mac === undefined || d.mac === dev.mac.toLowerCase());
    return deviceElementName(d) === deviceElementName(dev);
  });
}

function describeMissing(dev: DeviceDef): string {
  if (dev.kind === 'disk') return `no target device ${dev.target.dev}`;
  if (dev.kind === 'interface') return dev.mac ? `no device matching MAC address ${dev.mac} found` : 'no matching network device was found';
  return `no matching ${deviceElementName(dev)} device was found`;
}

function addDevice(def: DomainDef, dev: DeviceDef): void {
  if (dev.kind === 'disk' && indexOfDevice(def, dev) !== -1) throw failed(`target ${dev.target.dev} already exists`);
  if (dev.kind === 'interface') {
    if (dev.mac && indexOfDevice(def, dev) !== -1) throw failed(`mac address ${dev.mac} is already in use`);
    dev.targetDev ??= `testnet${def.devices.filter((d) => d.kind === 'interface').length}`;
  }
  def.devices.push(dev);
}

export function attachDomainDevice(d: TestDomain, xml: string, flags: number): void {
  checkFlags(flags, Dev.LIVE | Dev.CONFIG, 'testDomainAttachDeviceFlags');
  const dev = parseDeviceXml(xml);
  if (dev.kind === 'interface') dev.mac ??= newMac();
  const { live, config } = d.affectedDefs(flags);
  // each definition gets its own copy: they change apart from here on
  for (const def of [live, config]) if (def) addDevice(def, structuredClone(dev));
}

export function detachDomainDevice(d: TestDomain, xml: string, flags: number): void {
  checkFlags(flags, Dev.LIVE | Dev.CONFIG, 'testDomainDetachDeviceFlags');
  const dev = parseDeviceXml(xml);
  const { live, config } = d.affectedDefs(flags);
  const targets = [live, config].filter((def): def is DomainDef => def !== null);
  const found = targets.map((def) => indexOfDevice(def, dev));
  if (found.includes(-1)) throw missing(describeMissing(dev));
  targets.forEach((def, i) => def.devices.splice(found[i], 1));
}
