import type { XmlElement } from '../xml-element.js';

/**
 * The typed model of libvirt's domain XML. Drivers read and change the typed parts;
 * elements that tsvirt does not interpret are kept as parsed and written back in
 * libvirt's order (domain-layout.ts), so that a definition survives a round trip. A typed
 * part parsed from a document keeps that element too (`element`): what the typed fields
 * do not say (a network disk's hosts, a MAC address's type) is written back from it, and
 * the typed fields win where both say something.
 */
export interface DomainDef {
  type: string;
  /** namespace declarations on <domain> (xmlns:qemu=...), for the extensions kept in `extra` */
  namespaces?: Record<string, string>;
  name: string;
  uuid: string;
  title?: string;
  description?: string;
  metadata?: XmlElement;
  /** maximum memory, KiB */
  memory: number;
  /** current (balloon) memory, KiB */
  currentMemory: number;
  vcpu: VcpuDef;
  os: OsDef;
  clockOffset: string;
  /** the parsed <clock> (timers, start, adjustment); `clockOffset` wins over its offset */
  clock?: XmlElement;
  onPoweroff: string;
  onReboot: string;
  onCrash: string;
  devices: DeviceDef[];
  /** top-level elements kept as parsed, by element name (features, cpu, seclabel, ...) */
  extra: XmlElement[];
}

export interface VcpuDef {
  placement: string;
  /** the maximum vCPU count */
  max: number;
  /** the vCPUs online, when fewer than max */
  current?: number;
  cpuset?: string;
}

export interface OsDef {
  type: string;
  arch?: string;
  machine?: string;
  /** boot devices in order: hd, cdrom, network, fd */
  boot: string[];
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  /** other children of <os> kept as parsed (loader, nvram, bootmenu, root, ...) */
  extra: XmlElement[];
  /** attributes of <os> (firmware) */
  attrs?: Record<string, string>;
  /** attributes of <os><type> other than arch and machine */
  typeAttrs?: Record<string, string>;
}

export type DeviceDef = DiskDef | InterfaceDef | OtherDeviceDef;

export interface DiskDef {
  kind: 'disk';
  type: string;
  device: string;
  /** rawio='yes': the guest may send raw SCSI commands to a LUN */
  rawio?: string;
  driver?: Record<string, string>;
  /** the source attributes: file, dev, network, volume... */
  source?: Record<string, string>;
  target: { dev: string; bus?: string; tray?: string; [attr: string]: string | undefined };
  readonly: boolean;
  shareable: boolean;
  serial?: string;
  address?: Record<string, string>;
  alias?: string;
  /** other children kept as parsed */
  extra: XmlElement[];
  /** the parsed <disk>: attributes and parts of typed children that are not typed */
  element?: XmlElement;
}

export interface InterfaceDef {
  kind: 'interface';
  type: string;
  mac?: string;
  source?: Record<string, string>;
  targetDev?: string;
  model?: string;
  address?: Record<string, string>;
  alias?: string;
  extra: XmlElement[];
  /** the parsed <interface>: attributes and parts of typed children that are not typed */
  element?: XmlElement;
}

/** Any other device (controller, serial, console, graphics, video, memballoon, ...), kept as parsed. */
export interface OtherDeviceDef {
  kind: 'other';
  element: XmlElement;
}

export const deviceElementName = (d: DeviceDef): string => (d.kind === 'other' ? d.element.name : d.kind);
