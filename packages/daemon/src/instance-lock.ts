// One daemon per socket folder: several started at once (clients that each found no
// daemon and started one) must end with one, before any of them opens a driver and
// reattaches to running guests' monitors. The lock is a listening socket in Linux's
// abstract namespace: binding it is atomic, and it goes away with its process however
// that ends, so that a killed daemon leaves no stale lock behind. Its name is a random
// token kept in the socket folder, readable only by the daemon's user, so that no other
// user can guess it and hold the lock first.

import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

const TOKEN_FILE = 'tsvirtd.lock-token';

const TOKEN = /^[0-9a-f]{32}$/;

/** The token in the file at `path`, checked: the socket's name is made of it. */
function readToken(path: string): string {
  const token = readFileSync(path, 'utf8');
  if (!TOKEN.test(token)) throw new Error(`${path} is not a lock token (32 hexadecimal digits): remove it`);
  return token;
}

/** The folder's token, made by the first daemon that needs one (a link() makes only one win). */
function lockToken(dir: string): string {
  const path = join(dir, TOKEN_FILE);
  try {
    return readToken(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const temp = `${path}.${process.pid}`;
  writeFileSync(temp, randomBytes(16).toString('hex'), { mode: 0o600 });
  try {
    linkSync(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(temp, { force: true });
  }
  return readToken(path);
}

/**
 * Hold the folder's lock for the life of this process: the lock's server, or null when
 * another daemon holds it.
 */
export function lockSocketFolder(dir: string): Promise<Server | null> {
  const server = createServer((s) => s.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(null) : reject(e)));
    server.listen(`\0tsvirtd-${lockToken(dir)}`, () => resolve(server));
  });
}
