// Credentials for hosts that ask for a password (XenAPI), from an auth file in
// libvirt's auth.conf format, so that one file serves libvirt and tsvirt:
//
//   [credentials-pool]
//   username=root
//   password=secret
//   [auth-xenapi-HOST]
//   credentials=pool
//
// The file is LIBVIRT_AUTH_FILE when set, else tsvirt's auth.conf in the user's
// configuration folder (/etc/tsvirt/auth.conf for root).

import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

export interface Credentials {
  username?: string;
  password?: string;
}

type Env = Record<string, string | undefined>;

const MAX_AUTH_FILE = 1 << 20;

export function authFilePath(env: Env = process.env, uid = process.getuid?.() ?? -1): string {
  if (env.LIBVIRT_AUTH_FILE) return env.LIBVIRT_AUTH_FILE;
  if (uid === 0) return '/etc/tsvirt/auth.conf';
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME ?? os.homedir(), '.config'), 'tsvirt', 'auth.conf');
}

/** The groups of a key file: [name] then key=value lines; # and ; start comments. */
export function parseKeyFile(text: string): Map<string, Map<string, string>> {
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group) {
      current = new Map();
      groups.set(group[1].trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return groups;
}

/** The credentials the auth file gives for `service` (xenapi) on `host`; none when there is no file or entry. */
export function credentialsFor(service: string, host: string, file = authFilePath()): Credentials {
  let text: string;
  try {
    if (statSync(file).size > MAX_AUTH_FILE) throw new Error('too large');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw VirError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.AUTH, `cannot read the auth file ${file}: ${(e as Error).message}`);
  }
  const groups = parseKeyFile(text);
  const name = (groups.get(`auth-${service}-${host}`) ?? groups.get(`auth-${service}-default`))?.get('credentials');
  const creds = name === undefined ? undefined : groups.get(`credentials-${name}`);
  return creds ? { username: creds.get('username'), password: creds.get('password') } : {};
}
