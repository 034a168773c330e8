import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { connectFailed } from './transport-error.js';

/** Node's codes for a peer certificate that did not pass the checks (OpenSSL's verify results, a name mismatch). */
const CERTIFICATE_CODE = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|ALTNAME/;

/**
 * Resolves with the socket once `readyEvent` fires; a failure before that is libvirt's
 * connect error, which says so when it was the server's certificate that failed.
 */
function whenConnected(socket: Socket, readyEvent: string, what: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => {
      const code = String((e as NodeJS.ErrnoException).code ?? '');
      reject(connectFailed(CERTIFICATE_CODE.test(code) ? `${what}: the server's certificate was refused` : what, e));
    };
    socket.once('error', fail);
    socket.once(readyEvent, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

export function connectUnix(path: string): Promise<Socket> {
  return whenConnected(netConnect({ path }), 'connect', `Failed to connect socket to '${path}'`);
}

export function connectTcp(host: string, port: number): Promise<Socket> {
  const socket = netConnect({ host, port });
  socket.setNoDelay(true);
  return whenConnected(socket, 'connect', `unable to connect to server at '${host}:${port}'`);
}

export function connectTls(host: string, port: number, options: ConnectionOptions): Promise<Socket> {
  // SNI carries host names only, never addresses.
  const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ...options });
  socket.setNoDelay(true);
  return whenConnected(socket, 'secureConnect', `unable to connect to server at '${host}:${port}'`);
}
