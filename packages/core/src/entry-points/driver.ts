/**
 * @tsvirt/core/driver: what a driver package (and a tool that hosts drivers, such as
 * tsvirtd) builds on: the generated driver interface and entry layer, the driver
 * registry, and the hypervisor-neutral helpers drivers share.
 */
export type * from '../gen/driver.gen.js';
export {
  ConnectEntry, DomainEntry, NetworkEntry, StoragePoolEntry, StorageVolEntry, InterfaceEntry, NodeDeviceEntry, SecretEntry, entryFromWire,
} from '../gen/entry.gen.js';
export { toVirError } from '../errors/vir-error.js';
export { deniedOnReadOnly, invalidArgument, invalidConnection, unsupported } from '../entry-checks.js';
export { registerDriver, registeredDrivers, servedByDaemon, DRIVER_PACKAGES } from '../drivers/driver-registry.js';
export type { Driver } from '../drivers/driver.js';
export { DomainObject, type AffectedDefs } from '../drivers/domain-object.js';
export { DomainTable } from '../drivers/domain-table.js';
export { defineDomainObject, undefineDomainObject } from '../drivers/domain-definitions.js';
export { findInterface } from '../drivers/device-lookup.js';
export { HANDLE_ID_CALLS, takeHandleId, type HandleIdReply } from '../drivers/domain-handles.js';
export { DomainEvents, eventMatches, noEventCallback } from '../drivers/domain-events.js';
export { CloseCallbacks } from '../drivers/close-callbacks.js';
export { collectDomainStats, stateStatsGroup, type DomainStatsGroup } from '../drivers/domain-stats.js';
export { SecretStore, type SecretEventSink } from '../drivers/secret-store.js';
export { domainMatchesListFlags, objectMatchesListFlags, DOMAIN_LIST_FLAGS, type ListableDomain, type ListableObject } from '../drivers/domain-list-filter.js';
export { NamedObjectTable, type NamedObjectKind } from '../drivers/named-object-table.js';
export { poolMatchesListFlags, STORAGE_POOL_LIST_FLAGS } from '../drivers/storage-pool-list-filter.js';
export { PciAddressSet, pciAddressAttrs, parsePciAddress, elementPciAddress, type PciAddress, type PciConnect, type AddedController } from '../drivers/pci-address-set.js';
export { SnapshotTree, DomainSnapshot } from '../drivers/snapshot-tree.js';
export { modificationImpact, type ModificationImpact } from '../drivers/modification-impact.js';
export { checkFlags, flagChecker } from '../drivers/flag-checks.js';
export { domainAlreadyActive, domainNotRunning, noPersistentConfig } from '../drivers/conf-errors.js';
export { DomainMessages, DomainTaint } from '../drivers/domain-messages.js';
export { parseConnectUri, type ConnectUri } from '../uri/connect-uri.js';
export { clientConfigPath, uriDefaultOf } from '../uri/default-uri.js';
export { normalizeUuid, newUuid } from '../util/uuid.js';
export { isRemoteDriver } from '../remote/remote-marker.js';
export { strerror } from '../remote/transports/transport-error.js';
export { unsafeFolderReason } from '../util/safe-folder.js';
export { checkOpenedInside, fileNotAllowed, insideFolders } from '../util/allowed-folders.js';
export { findProgram, isExecutable } from '../util/executable.js';
export { writeFileAtomic, removeStaleTempFiles } from '../util/atomic-file.js';
export { XmlConfigStore, type XmlConfigFormat } from '../drivers/xml-config-store.js';
export { DomainConfigStore } from '../drivers/domain-config-store.js';
export { checkDomainName, MAX_DOMAIN_NAME_BYTES } from '../drivers/domain-name.js';
export { guestSideCounters } from '../drivers/interface-counters.js';
export { claimAutostart, AUTOSTART_MARKER } from '../drivers/autostart-marker.js';
export { libvirtCpuFeatures, libvirtCpuVendor } from '../drivers/host-cpu-names.js';
export { DomainJobQueue, DEFAULT_JOB_WAIT_MS } from '../drivers/domain-job-queue.js';
