/**
 * @tsvirt/core: tsvirt's public API. `open(uri)` gives a Connect; everything else
 * hangs off it. Every failure is a VirError with libvirt's code, domain and message.
 */
export * from './gen/api.gen.js';
export * from './gen/errors.gen.js';
export type * from './gen/driver.gen.js';
export { ConnectEntry, DomainEntry } from './gen/entry.gen.js';
export { procedures, procedureByNumber, type Procedure, type ProcedureArg } from './gen/procedures.gen.js';
export { VirError, toVirError, type VirErrorData } from './errors/vir-error.js';
export { open, defaultUri } from './open.js';
export { registerDriver, registeredDrivers, DRIVER_PACKAGES } from './drivers/driver-registry.js';
export { DomainObject } from './drivers/domain-object.js';
export { DomainMessages, DomainTaint } from './drivers/domain-messages.js';
export type { Driver, OpenOptions } from './drivers/driver.js';
export { parseConnectUri, type ConnectUri } from './uri/connect-uri.js';
export { normalizeUuid, newUuid } from './util/uuid.js';
export * from './xml/xml-element.js';
export { parseXmlDocument, validateWithRelaxNg, MAX_XML_BYTES } from './xml/xml-document.js';
export * from './xml/domain/domain-def.js';
export { parseDomainXml, domainDefFromTree, parseDevice, DOMAIN_TYPES } from './xml/domain/domain-parse.js';
export { applyDomainDefaults, type DomainDefaultsOptions } from './xml/domain/domain-defaults.js';
export { diskNameToIndex, defaultDiskBus } from './xml/domain/disk-names.js';
export { diskInsertPosition } from './xml/domain/disk-order.js';
export { formatDomainXml, formatDevice, sortedDevices, type DomainFormatOptions } from './xml/domain/domain-format.js';
export { toKiB } from './xml/domain/memory-units.js';
export { formatCapabilitiesXml, type Capabilities, type CapsCell, type CapsGuest } from './xml/capabilities.js';
export * from './rpc/index.js';
export { ConnectionProcedure, plainDomainRef, plainRef, isRefType, type OpenCallBody, type EventMessageBody } from './remote/remote-protocol.js';
export { isRemoteDriver } from './remote/remote-marker.js';
export { relayStream, remoteStream, STREAM_BACKLOG_MAX, type StreamLink, type StreamPeer, type SendStreamFrame } from './remote/stream-frames.js';
export { RW_SOCKET_NAME, RO_SOCKET_NAME, DEFAULT_TCP_PORT, DEFAULT_TLS_PORT, defaultSocketDir, defaultSocketPath } from './remote/socket-paths.js';
export { deniedOnReadOnly, invalidArgument, unsupported } from './entry-checks.js';
export * from './xml/network/network-def.js';
export { expectRoot } from './xml/xml-fields.js';
export { parseNetworkXml, networkDefFromTree } from './xml/network/network-parse.js';
export { formatNetworkXml } from './xml/network/network-format.js';
export * from './xml/storage/storage-def.js';
export { parseStoragePoolXml, parseStorageVolXml, storagePoolDefFromTree, storageVolDefFromTree } from './xml/storage/storage-parse.js';
export { formatStoragePoolXml, formatStorageVolXml } from './xml/storage/storage-format.js';
export * from './xml/interface/interface-def.js';
export { parseInterfaceXml, interfaceDefFromTree, formatInterfaceXml } from './xml/interface/interface-xml.js';
export { parseNodeDeviceXml, nodeDeviceDefFromTree, formatNodeDeviceXml, type NodeDeviceDef } from './xml/nodedev/node-device-xml.js';
export { NetworkEntry, StoragePoolEntry, StorageVolEntry, InterfaceEntry, NodeDeviceEntry } from './gen/entry.gen.js';
export { eventProcedures, type EventProcedure } from './gen/procedures.gen.js';
