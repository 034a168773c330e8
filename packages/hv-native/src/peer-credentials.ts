import type { Socket } from 'node:net';

import { socketFd } from './fd-passing.js';
import { callNative, requireNative } from './native-loader.js';

/** Who is at the other end of a unix socket: the kernel's record of the process that connected (or listened). */
export interface PeerCredentials {
  uid: number;
  gid: number;
  pid: number;
}

/**
 * The credentials of a connected unix socket's peer (SO_PEERCRED), as they were when the
 * connection was made. Needs the addon (Node has no getsockopt): UNAVAILABLE without it;
 * a daemon then knows its local clients only by the socket they came through.
 */
export function peerCredentials(socket: Socket): PeerCredentials {
  const native = requireNative('Reading a unix socket peer\'s credentials');
  const { fd } = socketFd(socket, 'peerCredentials');
  return callNative('peerCredentials', () => native.peerCredentials(fd));
}
