// QEMU's monitor events as libvirt's domain events: the ones that report a fact about
// the guest's devices or memory rather than a change of the domain's state (those are
// monitor-events.ts's). Pure: the monitor event and the live definition in, the
// events out; what needs QEMU's help (which disk a block node is) is asked for.

import {
  ConnectDomainEventBlockJobStatus as JobStatus, DomainBlockJobType as JobType, DomainEventGraphicsAddressType as Family,
  DomainEventGraphicsPhase as Phase, DomainEventIOErrorAction as IOAction, DomainEventWatchdogAction as WatchdogAction,
  DomainMemoryFailureActionType as MemoryAction, DomainMemoryFailureRecipientType as Recipient, type DomainEventGraphicsAddress,
} from '@tsvirt/core';
import type { DomainEventData, DomainRef } from '@tsvirt/core/driver';
import { childElement, type DiskDef, type DomainDef } from '@tsvirt/core/xml';
import type { QmpEvent } from './qmp/qmp-wire.js';

type Data = Record<string, unknown>;

const WATCHDOG_ACTIONS: Record<string, WatchdogAction> = {
  none: WatchdogAction.NONE, pause: WatchdogAction.PAUSE, reset: WatchdogAction.RESET, poweroff: WatchdogAction.POWEROFF,
  shutdown: WatchdogAction.SHUTDOWN, debug: WatchdogAction.DEBUG, 'inject-nmi': WatchdogAction.INJECTNMI,
};
/** BLOCK_IO_ERROR's action: stop pauses the guest. */
const IO_ERROR_ACTIONS: Record<string, IOAction> = { ignore: IOAction.NONE, stop: IOAction.PAUSE, report: IOAction.REPORT };
const ADDRESS_FAMILIES: Record<string, Family> = { ipv4: Family.IPV4, ipv6: Family.IPV6, unix: Family.UNIX };
const GRAPHICS_PHASES: Record<string, Phase> = {
  VNC_CONNECTED: Phase.CONNECT, VNC_INITIALIZED: Phase.INITIALIZE, VNC_DISCONNECTED: Phase.DISCONNECT,
  SPICE_CONNECTED: Phase.CONNECT, SPICE_INITIALIZED: Phase.INITIALIZE, SPICE_DISCONNECTED: Phase.DISCONNECT,
};
const BLOCK_JOB_TYPES: Record<string, JobType> = { stream: JobType.PULL, mirror: JobType.COPY, commit: JobType.COMMIT, backup: JobType.BACKUP };
const BLOCK_JOB_STATUS: Record<string, JobStatus> = {
  BLOCK_JOB_COMPLETED: JobStatus.COMPLETED, BLOCK_JOB_ERROR: JobStatus.FAILED, BLOCK_JOB_CANCELLED: JobStatus.CANCELED, BLOCK_JOB_READY: JobStatus.READY,
};
const MEMORY_RECIPIENTS: Record<string, Recipient> = { hypervisor: Recipient.HYPERVISOR, guest: Recipient.GUEST };
const MEMORY_ACTIONS: Record<string, MemoryAction> = { ignore: MemoryAction.IGNORE, inject: MemoryAction.INJECT, fatal: MemoryAction.FATAL, reset: MemoryAction.RESET };
const AGENT_CHANNEL = 'org.qemu.guest_agent.0';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** The disk a QEMU device id or block-job id names: its alias, else its target (libvirt's job ids). */
function diskNamed(def: DomainDef, name: string): DiskDef | undefined {
  return def.devices.find((d): d is DiskDef => d.kind === 'disk' && (d.alias === name || d.target.dev === name || name === `drive-${d.alias}`));
}

/** A disk's source as libvirt names it in events: its file, device or volume, else nothing. */
const sourceOf = (disk: DiskDef | undefined): string | undefined => disk?.source?.file ?? disk?.source?.dev ?? disk?.source?.volume ?? disk?.source?.name;

/** One end of a graphics connection, from QEMU's VncBasicInfo / SpiceBasicInfo. */
function address(info: unknown): DomainEventGraphicsAddress {
  const i = (info ?? {}) as Data;
  return { family: ADDRESS_FAMILIES[str(i.family)] ?? Family.IPV4, node: str(i.host), service: str(i.service ?? (i.port === undefined ? '' : String(i.port))) };
}

function graphicsEvent(domain: DomainRef, e: QmpEvent): DomainEventData {
  const client = (e.data.client ?? {}) as Data;
  const server = (e.data.server ?? {}) as Data;
  const subject = [
    ...(typeof client.x509_dname === 'string' ? [{ type: 'x509dname', name: client.x509_dname }] : []),
    ...(typeof client.sasl_username === 'string' ? [{ type: 'saslUsername', name: client.sasl_username }] : []),
  ];
  return {
    kind: 'graphics', domain, phase: GRAPHICS_PHASES[e.event]!, local: address(server), remote: address(client),
    authScheme: str(server.auth) || 'none', subject,
  };
}

/** Whether a channel with this alias is the guest agent's. */
function isAgentChannel(def: DomainDef, alias: string): boolean {
  return def.devices.some((d) => d.kind === 'other' && d.element.name === 'channel'
    && childElement(d.element, 'target')?.attrs.name === AGENT_CHANNEL && childElement(d.element, 'alias')?.attrs.name === alias);
}

/**
 * The domain events a monitor event means, for a running domain whose live definition
 * is `def`; `diskOfNode` names the disk a block node belongs to (BLOCK_IO_ERROR and
 * BLOCK_WRITE_THRESHOLD name nodes, not devices).
 */
export async function domainEventsOf(
  domain: DomainRef, def: DomainDef, e: QmpEvent, diskOfNode: (node: string) => Promise<string | undefined>,
): Promise<DomainEventData[]> {
  const d = e.data ?? {};
  switch (e.event) {
    case 'RTC_CHANGE':
      return [{ kind: 'rtcChange', domain, offset: num(d.offset) }];
    case 'WATCHDOG':
      return [{ kind: 'watchdog', domain, action: WATCHDOG_ACTIONS[str(d.action)] ?? WatchdogAction.NONE }];
    case 'BLOCK_IO_ERROR': {
      const alias = (str(d.device) || (await diskOfNode(str(d['node-name'])))) ?? '';
      const srcPath = sourceOf(diskNamed(def, alias)) ?? '';
      const action = IO_ERROR_ACTIONS[str(d.action)] ?? IOAction.NONE;
      // libvirt names one cause: no space left
      const reason = d.nospace === true ? 'enospc' : '';
      return [{ kind: 'ioError', domain, srcPath, devAlias: alias, action }, { kind: 'ioErrorReason', domain, srcPath, devAlias: alias, action, reason }];
    }
    case 'VNC_CONNECTED': case 'VNC_INITIALIZED': case 'VNC_DISCONNECTED':
    case 'SPICE_CONNECTED': case 'SPICE_INITIALIZED': case 'SPICE_DISCONNECTED':
      return [graphicsEvent(domain, e)];
    case 'DEVICE_TRAY_MOVED':
      return [{ kind: 'trayChange', domain, devAlias: str(d.id) || str(d.device), reason: d['tray-open'] === true ? 0 : 1 }];
    case 'SUSPEND':
      return [{ kind: 'pmSuspend', domain, reason: 0 }];
    case 'SUSPEND_DISK':
      return [{ kind: 'pmSuspendDisk', domain, reason: 0 }];
    case 'WAKEUP':
      return [{ kind: 'pmWakeup', domain, reason: 0 }];
    case 'BALLOON_CHANGE':
      return [{ kind: 'balloonChange', domain, actual: Math.floor(num(d.actual) / 1024) }];
    case 'DEVICE_DELETED':
      // a device's parts (its backend) go without an id of their own
      return str(d.device) ? [{ kind: 'deviceRemoved', domain, devAlias: str(d.device) }] : [];
    case 'BLOCK_JOB_COMPLETED': case 'BLOCK_JOB_CANCELLED': case 'BLOCK_JOB_ERROR': case 'BLOCK_JOB_READY': {
      const type = BLOCK_JOB_TYPES[str(d.type)];
      const disk = diskNamed(def, str(d.device));
      if (type === undefined || !disk) return [];
      const status = e.event === 'BLOCK_JOB_COMPLETED' && typeof d.error === 'string' ? JobStatus.FAILED : BLOCK_JOB_STATUS[e.event]!;
      return [{ kind: 'blockJob', domain, path: sourceOf(disk) ?? '', type, status }, { kind: 'blockJob2', domain, dst: disk.target.dev, type, status }];
    }
    case 'BLOCK_WRITE_THRESHOLD': {
      const alias = await diskOfNode(str(d['node-name']));
      const disk = alias === undefined ? undefined : diskNamed(def, alias);
      return [{
        kind: 'blockThreshold', domain, dev: disk?.target.dev ?? str(d['node-name']), path: sourceOf(disk),
        threshold: num(d['write-threshold']), excess: num(d['amount-exceeded']),
      }];
    }
    case 'MEMORY_FAILURE': {
      const flags = (d.flags ?? {}) as Data;
      return [{
        kind: 'memoryFailure', domain, recipient: MEMORY_RECIPIENTS[str(d.recipient)] ?? Recipient.HYPERVISOR, action: MEMORY_ACTIONS[str(d.action)] ?? MemoryAction.IGNORE,
        flags: (flags['action-required'] === true ? 1 : 0) | (flags.recursive === true ? 2 : 0),
      }];
    }
    case 'MEMORY_DEVICE_SIZE_CHANGE':
      return str(d.id) ? [{ kind: 'memoryDeviceSizeChange', domain, alias: str(d.id), size: Math.floor(num(d.size) / 1024) }] : [];
    case 'MIGRATION_PASS':
      return [{ kind: 'migrationIteration', domain, iteration: num(d.pass) }];
    case 'VSERPORT_CHANGE':
      // connected and disconnected, for the channel of the guest agent only; the reason: a channel event
      return isAgentChannel(def, str(d.id)) ? [{ kind: 'agentLifecycle', domain, state: d.open === true ? 1 : 2, reason: 2 }] : [];
    case 'ACPI_DEVICE_OST': {
      // an eject request (source 3) the guest answered with a failure
      const info = (d.info ?? {}) as Data;
      return num(info.source) === 3 && num(info.status) !== 0 && str(info.device) ? [{ kind: 'deviceRemovalFailed', domain, devAlias: str(info.device) }] : [];
    }
    default:
      return [];
  }
}
