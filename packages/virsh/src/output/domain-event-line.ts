// How virsh's `event` command names each domain event and prints it (libvirt's
// tools/virsh-domain-event.c): one line per event, some with indented lines after it.
import type { DomainEvent, TypedParams } from '@tsvirt/core';
import { domainEventDetailText, domainEventText } from './domain-event-text.js';

/** virsh's name of an event kind: the API's camelCase kind in kebab case (`blockJob2` is `block-job-2`). */
export const eventName = (kind: string): string => kind.replace(/[A-Z0-9]/g, (c) => `-${c.toLowerCase()}`);

const WATCHDOG = ['none', 'pause', 'reset', 'poweroff', 'shutdown', 'debug', 'inject-nmi'];
const IO_ERROR = ['none', 'pause', 'report'];
const GRAPHICS_PHASE = ['connect', 'initialize', 'disconnect'];
const ADDRESS_FAMILY = ['IPv4', 'IPv6', 'unix'];
const BLOCK_JOB = ['Unknown job', 'Block Pull', 'Block Copy', 'Block Commit', 'Active Block Commit', 'Backup'];
const BLOCK_JOB_STATUS = ['completed', 'failed', 'canceled', 'ready'];
const DISK_CHANGE = ['changed', 'dropped'];
const TRAY_CHANGE = ['opened', 'closed'];
const AGENT_STATE = ['unknown', 'connected', 'disconnected'];
const AGENT_REASON = ['unknown', 'domain started', 'channel event'];
const METADATA = ['description', 'title', 'element'];
const MEMORY_RECIPIENT = ['hypervisor', 'guest'];
const MEMORY_ACTION = ['ignore', 'inject', 'fatal', 'reset'];

const named = (names: readonly string[], n: number, missing = 'unknown') => names[n] ?? missing;
const unsupported = (names: readonly string[], n: number) => named(names, n, 'unsupported value');
/** A C string that may be NULL, as libvirt's NULLSTR writes it. */
const nullable = (s: string | undefined) => s ?? '<null>';

/** Typed parameters one per line, as virTypedParameterToString writes their values. */
function paramLines(params: TypedParams): string {
  let s = '';
  for (const [field, v] of Object.entries(params)) {
    const value = typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(6) : String(v);
    s += `\t${field}: ${value}\n`;
  }
  return s;
}

/** One event as virsh prints it. */
export function eventLine(e: DomainEvent): string {
  const head = `event '${eventName(e.kind)}' for domain '${e.domain.name}'`;
  switch (e.kind) {
    case 'lifecycle': return `${head}: ${domainEventText(e.event)} ${domainEventDetailText(e.event, e.detail)}\n`;
    case 'rtcChange': return `${head}: ${e.offset}\n`;
    case 'watchdog': return `${head}: ${named(WATCHDOG, e.action)}\n`;
    case 'ioError': return `${head}: ${e.srcPath} (${e.devAlias}) ${named(IO_ERROR, e.action)}\n`;
    case 'ioErrorReason': return `${head}: ${e.srcPath} (${e.devAlias}) ${named(IO_ERROR, e.action)} due to ${e.reason}\n`;
    case 'graphics': {
      const end = (a: typeof e.local) => `${named(ADDRESS_FAMILY, a.family)} ${a.node} ${a.service}`;
      return `${head}: ${named(GRAPHICS_PHASE, e.phase)} local[${end(e.local)}] remote[${end(e.remote)}] ${e.authScheme}\n`
        + e.subject.map((id) => `\t${id.type}=${id.name}\n`).join('');
    }
    case 'blockJob': return `${head}: ${named(BLOCK_JOB, e.type)} for ${e.path} ${named(BLOCK_JOB_STATUS, e.status)}\n`;
    case 'blockJob2': return `${head}: ${named(BLOCK_JOB, e.type)} for ${e.dst} ${named(BLOCK_JOB_STATUS, e.status)}\n`;
    case 'diskChange': return `${head} disk ${e.devAlias}: ${nullable(e.oldSrcPath)} -> ${nullable(e.newSrcPath)}: ${named(DISK_CHANGE, e.reason)}\n`;
    case 'trayChange': return `${head} disk ${e.devAlias}: ${named(TRAY_CHANGE, e.reason)}\n`;
    case 'balloonChange': return `${head}: ${e.actual}KiB\n`;
    case 'deviceRemoved':
    case 'deviceAdded':
    case 'deviceRemovalFailed': return `${head}: ${e.devAlias}\n`;
    case 'tunable':
    case 'jobCompleted': return `${head}:\n${paramLines(e.params)}`;
    case 'agentLifecycle': return `${head}: state: '${unsupported(AGENT_STATE, e.state)}' reason: '${unsupported(AGENT_REASON, e.reason)}'\n`;
    case 'migrationIteration': return `${head}: iteration: '${e.iteration}'\n`;
    case 'metadataChange': return `${head}: type ${unsupported(METADATA, e.type)}, uri ${nullable(e.nsuri)}\n`;
    case 'blockThreshold': return `${head}: dev: ${e.dev}(${nullable(e.path)}) ${e.threshold} ${e.excess}\n`;
    case 'memoryFailure':
      return `${head}:\nrecipient: ${unsupported(MEMORY_RECIPIENT, e.recipient)}\naction: ${unsupported(MEMORY_ACTION, e.action)}\n`
        + `flags:\n\taction required: ${e.flags & 1 ? 1 : 0}\n\trecursive: ${e.flags & 2 ? 1 : 0}\n`;
    case 'memoryDeviceSizeChange': return `${head}:\nalias: ${e.alias}\nsize: ${e.size}\n`;
    // reboot, control-error and the power-management events carry nothing virsh prints
    default: return `${head}\n`;
  }
}
