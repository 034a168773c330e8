import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { RO_SOCKET_NAME, RW_SOCKET_NAME } from '@tsvirt/core/protocol';

export type AcceptClient = (socket: Socket, readOnly: boolean) => void;

/** One unix socket with its mode set before any client can reach it. */
function listenUnix(path: string, mode: number, accept: (socket: Socket) => void): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer(accept);
  // The bind happens inside listen(): the umask makes the file start with its final mode.
  const oldMask = process.umask(0o777 & ~mode);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      chmodSync(path, mode);
      server.off('error', reject);
      resolve(server);
    });
    process.umask(oldMask);
  });
}

/** The read-write socket (0600, root or the owner only) and the read-only one (0666) in `dir`, a folder prepareSocketFolder checked. */
export async function listenUnixSockets(dir: string, accept: AcceptClient): Promise<Server[]> {
  return [
    await listenUnix(join(dir, RW_SOCKET_NAME), 0o600, (s) => accept(s, false)),
    await listenUnix(join(dir, RO_SOCKET_NAME), 0o666, (s) => accept(s, true)),
  ];
}

/**
 * Refuse a socket folder that a running daemon serves: its sockets would be taken
 * from under it. A socket nobody answers on is a dead daemon's.
 */
export async function checkFolderFree(dir: string): Promise<void> {
  const path = join(dir, RW_SOCKET_NAME);
  const answered = await new Promise<boolean | string>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? false : e.message));
  });
  if (answered === true) throw new Error(`another tsvirtd serves ${dir} (${path} answers)`);
  if (answered !== false) throw new Error(`cannot use ${dir}: ${answered}`);
}
