// Users and groups by name, through the system's user database (getent, so that
// NSS sources count), and the dedicated user QEMU runs as, created when missing.

import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

const run = promisify(execFile);

/** getent's exit status for "no such entry". */
const GETENT_NOT_FOUND = 2;
const CREATE_ATTEMPTS = 20;
const CREATE_RETRY_MS = 100;

export interface SystemUser {
  uid: number;
  /** the primary group */
  gid: number;
}

const securityError = (message: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.SECURITY, message);

async function getent(database: 'passwd' | 'group', key: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('getent', [database, key]);
    return stdout.split('\n')[0]!.split(':');
  } catch (e) {
    if ((e as { code?: unknown }).code === GETENT_NOT_FOUND) return undefined;
    throw securityError(`cannot look up ${database === 'passwd' ? 'user' : 'group'} '${key}': ${(e as Error).message}`);
  }
}

/** A user by name; `+N` is uid N (libvirt's notation), looked up for its primary group if it exists. */
export async function findUser(name: string): Promise<SystemUser | undefined> {
  const numeric = /^\+(\d+)$/.exec(name);
  if (numeric) {
    const uid = Number(numeric[1]);
    const entry = await getent('passwd', String(uid));
    return { uid, gid: entry ? Number(entry[3]) : uid };
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) return undefined;
  const entry = await getent('passwd', name);
  return entry && { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** A group's id by name, or `+N`. */
export async function findGroup(name: string): Promise<number | undefined> {
  const numeric = /^\+(\d+)$/.exec(name);
  if (numeric) return Number(numeric[1]);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(name)) return undefined;
  const entry = await getent('group', name);
  return entry && Number(entry[2]);
}

/** Whether the user database has an entry for `uid` (then its supplementary groups apply). */
export async function hasUserEntry(uid: number): Promise<boolean> {
  return (await getent('passwd', String(uid))) !== undefined;
}

/**
 * The dedicated system user (and its group), created when missing as a
 * distribution's package would: no home, no login shell, and in the kvm group
 * where there is one (it owns /dev/kvm on distributions that have it).
 */
export async function ensureSystemUser(name: string): Promise<SystemUser> {
  const found = await findUser(name);
  if (found) return found;
  const kvm = (await findGroup('kvm')) === undefined ? [] : ['--groups', 'kvm'];
  let failure = '';
  // Another process may be creating it at the same moment: useradd then fails
  // (the user exists, or the user database is locked) and the user appears soon.
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    try {
      await run('useradd', [
        '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
        '--shell', '/usr/sbin/nologin', '--comment', 'tsvirt QEMU guests', ...kvm, name,
      ]);
    } catch (e) {
      failure = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
      if ((e as { code?: unknown }).code === 'ENOENT') break;
    }
    const created = await findUser(name);
    if (created) return created;
    await sleep(CREATE_RETRY_MS);
  }
  throw securityError(`cannot create the user '${name}' for QEMU: ${failure || 'it does not appear in the user database'}`);
}
