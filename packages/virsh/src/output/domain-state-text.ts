import { DomainState as S } from '@tsvirt/core';

// virsh's words for domain states and their reasons, by the numbers libvirt defines.

const STATES: Record<number, string> = {
  [S.NOSTATE]: 'no state', [S.RUNNING]: 'running', [S.BLOCKED]: 'idle', [S.PAUSED]: 'paused',
  [S.SHUTDOWN]: 'in shutdown', [S.SHUTOFF]: 'shut off', [S.CRASHED]: 'crashed', [S.PMSUSPENDED]: 'pmsuspended',
};

const REASONS: Record<number, string[]> = {
  [S.NOSTATE]: ['unknown'],
  [S.RUNNING]: ['unknown', 'booted', 'migrated', 'restored', 'from snapshot', 'unpaused', 'migration canceled', 'save canceled', 'event wakeup', 'crashed', 'post-copy', 'post-copy failed'],
  [S.BLOCKED]: ['unknown'],
  [S.PAUSED]: ['unknown', 'user', 'migrating', 'saving', 'dumping', 'I/O error', 'watchdog', 'from snapshot', 'shutting down', 'creating snapshot', 'crashed', 'starting up', 'post-copy', 'post-copy failed', 'api error'],
  [S.SHUTDOWN]: ['unknown', 'user'],
  [S.SHUTOFF]: ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  [S.CRASHED]: ['unknown', 'panicked'],
  [S.PMSUSPENDED]: ['unknown'],
};

export const stateText = (state: number) => STATES[state] ?? 'no state';
export const reasonText = (state: number, reason: number) => REASONS[state]?.[reason] ?? 'unknown';
