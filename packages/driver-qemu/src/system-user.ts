// Users and groups by name, through the system's user database (getent, so that
// NSS sources count), and the dedicated user QEMU runs as, created when missing.

import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

const run = promisify(execFile);

/** getent's exit status for "no such entry". */
const GETENT_NOT_FOUND = 2;
const LOCK_DIR = '/run/lock';
const LOCK_WAIT_S = 30;

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

/** Creations under way in this process, by name. */
const creating = new Map<string, Promise<SystemUser>>();

/**
 * The dedicated system user (and its group), created when missing as a
 * distribution's package would: no home, no login shell, and in the kvm group
 * where there is one (it owns /dev/kvm on distributions that have it).
 */
export function ensureSystemUser(name: string): Promise<SystemUser> {
  let pending = creating.get(name);
  if (!pending) {
    pending = createSystemUser(name).finally(() => creating.delete(name));
    creating.set(name, pending);
  }
  return pending;
}

async function createSystemUser(name: string): Promise<SystemUser> {
  const found = await findUser(name);
  if (found) return found;
  const kvm = (await findGroup('kvm')) === undefined ? [] : ['--groups', 'kvm'];
  const useradd = [
    'useradd', '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
    '--shell', '/usr/sbin/nologin', '--comment', 'tsvirt QEMU guests', ...kvm, name,
  ];
  // Two useradds at once can both add the user: other processes (daemons starting
  // together) are kept apart by a lock that the second waits on, then finds the user.
  const locked = await fs.access(LOCK_DIR).then(() => true, () => false);
  try {
    if (locked) await run('flock', ['--wait', String(LOCK_WAIT_S), path.join(LOCK_DIR, 'tsvirt-useradd.lock'), ...useradd]);
    else await run(useradd[0]!, useradd.slice(1));
  } catch (e) {
    const created = await findUser(name);
    if (created) return created;
    throw securityError(`cannot create the user '${name}' for QEMU: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
  const created = await findUser(name);
  if (!created) throw securityError(`the user '${name}' for QEMU was created but cannot be found`);
  return created;
}
