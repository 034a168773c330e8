import type { Socket } from 'node:net';

import { HvNativeError, fromNativeError } from './hv-native-error.js';
import { callNative, requireNative } from './native-loader.js';
import { INT32_MAX, checkArray, checkFd, checkInteger } from './validate.js';

/** SCM_MAX_FD: the kernel takes at most this many descriptors in one message. */
export const MAX_FDS_PER_MESSAGE = 253;

export interface RecvFdsOptions {
  /** Largest number of data bytes to take in this call; default 4096. */
  maxBytes?: number;
  /** Largest number of descriptors expected; more fails with EMSGSIZE. Default 16. */
  maxFds?: number;
  /** How long to wait for data, in milliseconds; default 10000. ETIMEDOUT after. */
  timeoutMs?: number;
}

export interface ReceivedFds {
  /** The bytes that came with the descriptors; empty when the peer closed. */
  data: Buffer;
  /** The descriptors, close-on-exec, now owned by the caller (close them). */
  fds: number[];
}

/**
 * Node keeps a socket's descriptor in its internal libuv handle and has no public
 * accessor nor any SCM_RIGHTS support; `_handle.fd` (a getter over uv_fileno) is the
 * one way to reach it. `reading` and `writeQueueSize` tell whether libuv is using the
 * descriptor, which decides whether sendmsg/recvmsg beside it is safe.
 */
interface SocketHandle {
  fd?: number;
  reading?: boolean;
  writeQueueSize?: number;
}

export function socketFd(socket: Socket, what: string): { fd: number; handle: SocketHandle } {
  if (typeof socket !== 'object' || socket === null || !('_handle' in socket)) {
    throw new HvNativeError('EINVAL', `${what}: expected a net.Socket`);
  }
  if (socket.connecting) {
    throw new HvNativeError('ENOTCONN', `${what}: the socket is still connecting`);
  }
  if (socket.destroyed) throw new HvNativeError('EBADF', `${what}: the socket is closed`);
  const handle = (socket as unknown as { _handle: SocketHandle | null })._handle;
  if (!handle) throw new HvNativeError('ENOTCONN', `${what}: the socket is not connected`);
  if (typeof handle.fd !== 'number' || handle.fd < 0) {
    throw new HvNativeError('EBADF', `${what}: the socket has no file descriptor on this platform`);
  }
  return { fd: handle.fd, handle };
}

/**
 * Sends `data` with `fds` attached (SCM_RIGHTS) over a connected unix socket, as
 * QEMU's `getfd` and `add-fd` expect: the descriptors travel with the command's bytes.
 *
 * The bytes bypass Node's write queue, so the queue must be empty (EBUSY otherwise:
 * wait for 'drain'). If the kernel takes only part of `data`, the rest is queued with
 * socket.write(), after the descriptors, in order. A full socket buffer is EAGAIN.
 * The caller still owns `fds` (the peer gets duplicates): close them when done.
 */
export function sendFds(socket: Socket, data: Uint8Array, fds: readonly number[]): void {
  if (!(data instanceof Uint8Array)) {
    throw new HvNativeError('EINVAL', 'sendFds: data must be a Buffer or Uint8Array');
  }
  if (data.length === 0) {
    throw new HvNativeError('EINVAL', 'sendFds: data is empty; descriptors travel with at least one byte');
  }
  const list = checkArray(fds, 'sendFds: fds', MAX_FDS_PER_MESSAGE).map((fd, i) =>
    checkFd(fd, `sendFds: fds[${i}]`),
  );
  const native = requireNative('Descriptor passing');
  const { fd, handle } = socketFd(socket, 'sendFds');
  if (socket.writableLength > 0 || (handle.writeQueueSize ?? 0) > 0) {
    throw new HvNativeError('EBUSY', "sendFds: the socket has queued writes; wait for 'drain'");
  }
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  const sent = callNative('sendFds', () => native.sendFds(fd, buffer, list));
  if (sent < buffer.length) socket.write(buffer.subarray(sent));
}

/**
 * Receives one message's data and descriptors from a unix socket: a net.Socket that
 * Node is not reading, or a raw descriptor. Node reads sockets with read(), which
 * drops passed descriptors, so the socket must be created paused: a server made with
 * `{ pauseOnConnect: true }`, or `net.connect()` followed at once by `socket.pause()`
 * (EBUSY otherwise). After this, `socket.resume()` hands the socket back to Node.
 * A message already there is taken at once; otherwise the wait happens on the libuv
 * thread pool (it holds one of its threads), bounded by `timeoutMs`.
 */
export async function recvFds(source: Socket | number, options: RecvFdsOptions = {}): Promise<ReceivedFds> {
  const maxBytes = checkInteger(options.maxBytes ?? 4096, 'recvFds: maxBytes', 1, 2 ** 24);
  const maxFds = checkInteger(options.maxFds ?? 16, 'recvFds: maxFds', 0, MAX_FDS_PER_MESSAGE);
  const timeoutMs = checkInteger(options.timeoutMs ?? 10000, 'recvFds: timeoutMs', 0, INT32_MAX);
  let fd: number;
  if (typeof source === 'number') {
    fd = checkFd(source, 'recvFds: fd');
  } else {
    const socket = socketFd(source, 'recvFds');
    if (socket.handle.reading || source.readableLength > 0) {
      throw new HvNativeError(
        'EBUSY',
        'recvFds: Node is reading this socket and would drop passed descriptors; create it paused',
      );
    }
    fd = socket.fd;
  }
  const native = requireNative('Descriptor passing');
  try {
    return await native.recvFds(fd, maxBytes, maxFds, timeoutMs);
  } catch (err) {
    throw fromNativeError(err, 'recvFds');
  }
}
