import { join } from 'node:path';

/** The read-write socket's file name in the daemon's socket folder. */
export const RW_SOCKET_NAME = 'tsvirt-sock';
/** The read-only socket's file name beside it. */
export const RO_SOCKET_NAME = 'tsvirt-sock-ro';

/** libvirt's TCP ports: plain TCP and TLS. */
export const DEFAULT_TCP_PORT = 16509;
export const DEFAULT_TLS_PORT = 16514;

/** Where tsvirtd puts its sockets by default: /run/tsvirt for root, $XDG_RUNTIME_DIR/tsvirt otherwise. */
export function defaultSocketDir(): string {
  if (process.getuid?.() === 0) return '/run/tsvirt';
  const runtime = process.env.XDG_RUNTIME_DIR || `/run/user/${process.getuid?.() ?? 0}`;
  return join(runtime, 'tsvirt');
}

/** The default socket for a client: the read-only one for read-only opens. */
export function defaultSocketPath(readOnly: boolean): string {
  return join(defaultSocketDir(), readOnly ? RO_SOCKET_NAME : RW_SOCKET_NAME);
}

/**
 * libvirtd's socket, where libvirt's clients look for it: /run/libvirt/libvirt-sock (and
 * -ro) for root, $XDG_RUNTIME_DIR/libvirt/libvirt-sock (one socket) for a session daemon.
 */
export function libvirtSocketPath(readOnly: boolean): string {
  if (process.getuid?.() === 0) return `/run/libvirt/libvirt-sock${readOnly ? '-ro' : ''}`;
  const runtime = process.env.XDG_RUNTIME_DIR || `/run/user/${process.getuid?.() ?? 0}`;
  return join(runtime, 'libvirt', 'libvirt-sock');
}
