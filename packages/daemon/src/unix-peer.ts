// Who a unix socket's client is: the kernel's record of the process that connected
// (SO_PEERCRED), read through @tsvirt/hv-native, an optional peer dependency. Node has no
// way to read it; without the addon the daemon knows a local client only by the socket it
// came through, and access rests on the sockets' modes alone (read-write 0600, read-only 0666).

import type { Socket } from 'node:net';
import type * as HvNativeModule from '@tsvirt/hv-native';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { ClientAccess } from './network-access.js';

export type PeerCredentials = HvNativeModule.PeerCredentials;

/** Reads a client socket's peer credentials; null when they cannot be read here (and why, once). */
export interface PeerReader {
  read(socket: Socket): PeerCredentials | null;
  /** why credentials are not read, or null when they are */
  unavailable: string | null;
}

export async function loadPeerReader(): Promise<PeerReader> {
  const hv = await import('@tsvirt/hv-native').catch((e: Error) => e);
  if (hv instanceof Error) return { read: () => null, unavailable: `@tsvirt/hv-native is not installed (${hv.message.split('\n')[0]})` };
  const support = hv.capabilities().peerCredentials;
  if (support.path !== 'native') return { read: () => null, unavailable: support.detail };
  return {
    read: (socket) => {
      try {
        return hv.peerCredentials(socket);
      } catch {
        // a client gone before it was looked at is dropped by its session at once
        return null;
      }
    },
    unavailable: null,
  };
}

/** A client of the read-write socket as the log names it: its user, group and process when known. */
export const peerName = (socket: string, cred: PeerCredentials | null) =>
  cred ? `${socket}, uid ${cred.uid} gid ${cred.gid} pid ${cred.pid}` : socket;

/**
 * What a unix socket's client may do. The read-write socket serves root and the daemon's
 * own user: another user who reached it (its mode loosened by hand, a group allowed in) is
 * refused, as libvirt refuses a client that has not authenticated for writing. The read-only
 * socket serves anyone, read-only, whatever their credentials.
 */
export function unixAccess(readOnly: boolean, cred: PeerCredentials | null, daemonUid: number): ClientAccess {
  if (readOnly) return { readOnly: true, refusal: null, trusted: false };
  if (cred !== null && cred.uid !== 0 && cred.uid !== daemonUid) {
    const refusal = VirError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.RPC,
      `the read-write socket serves only root and the daemon's user (uid ${daemonUid}), not uid ${cred.uid}: use the read-only socket`);
    return { readOnly: true, refusal, trusted: false };
  }
  return { readOnly: false, refusal: null, trusted: true };
}
