/**
 * @tsvirt/core/xml: the typed XML models (domain, network, storage, interface, node
 * device, capabilities), their parsers and canonical formatters, and the one adapter
 * over the XML library that every document goes through.
 */
export * from '../xml/xml-element.js';
export { parseXmlDocument, validateWithRelaxNg, MAX_XML_BYTES } from '../xml/xml-document.js';
export { textOfBytes } from '../xml/xml-bytes.js';
export { expectRoot } from '../xml/xml-fields.js';
export * from '../xml/domain/domain-def.js';
export { parseDomainXml, domainDefFromTree, parseDevice, DOMAIN_TYPES } from '../xml/domain/domain-parse.js';
export { validateDomainXml, DOMAIN_SCHEMA } from '../xml/domain/domain-validate.js';
export { domainRelaxNg } from '../xml/domain/domain-schema.js';
export { applyDomainDefaults, type DomainDefaultsOptions } from '../xml/domain/domain-defaults.js';
export { diskNameToIndex, defaultDiskBus } from '../xml/domain/disk-names.js';
export { devicesNamed, replaceDevices } from '../xml/domain/device-elements.js';
export { orderControllers } from '../xml/domain/controller-rules.js';
export { diskInsertPosition } from '../xml/domain/disk-order.js';
export { parseIdList, formatIdList } from '../xml/domain/id-lists.js';
export { formatDomainXml, formatDevice, sortedDevices, type DomainFormatOptions } from '../xml/domain/domain-format.js';
export { parseSnapshotXml, parseSnapshotRecord, formatSnapshotXml, SNAPSHOT_DISK_ONLY_STATE, type SnapshotFacts, type SnapshotDisk, type SnapshotLocation, type SnapshotRequest } from '../xml/snapshot/snapshot-xml.js';
export { toKiB } from '../xml/domain/memory-units.js';
export { checkRenamedDomainName } from '../xml/domain/domain-name.js';
export { formatCapabilitiesXml, type Capabilities, type CapsCell, type CapsGuest, type CapsGuestToggle } from '../xml/capabilities.js';
export * from '../xml/network/network-def.js';
export { parseNetworkXml, networkDefFromTree } from '../xml/network/network-parse.js';
export { formatNetworkXml } from '../xml/network/network-format.js';
export { networkIps, type NetworkIpDef } from '../xml/network/network-ip.js';
export { fillNetworkDefaults, forwardMode, OWNS_BRIDGE } from '../xml/network/network-defaults.js';
export * from '../xml/storage/storage-def.js';
export { parseStoragePoolXml, parseStorageVolXml, storagePoolDefFromTree, storageVolDefFromTree } from '../xml/storage/storage-parse.js';
export { formatStoragePoolXml, formatStorageVolXml } from '../xml/storage/storage-format.js';
export * from '../xml/interface/interface-def.js';
export { parseInterfaceXml, interfaceDefFromTree, formatInterfaceXml } from '../xml/interface/interface-xml.js';
export { parseNodeDeviceXml, nodeDeviceDefFromTree, formatNodeDeviceXml, type NodeDeviceDef } from '../xml/nodedev/node-device-xml.js';
export { parseSecretXml, formatSecretXml, secretUsageTypeName, type SecretDef } from '../xml/secret/secret-xml.js';
