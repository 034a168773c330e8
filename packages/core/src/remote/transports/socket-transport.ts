import { createRequire } from 'node:module';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
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

export async function connectTls(host: string, port: number, options: ConnectionOptions): Promise<Socket> {
  // SNI carries host names only, never addresses.
  // loaded here: tls costs start-up time that a unix socket's client need not pay; required,
  // not imported, since virsh's single-file build runs from a code cache where import() cannot
  const { connect: tlsConnect } = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ...options });
  socket.setNoDelay(true);
  await whenConnected(socket, 'secureConnect', `unable to connect to server at '${host}:${port}'`);
  return tlsConfirmed(socket);
}

/** libvirt's daemons confirm a TLS session with one byte, 1, once they have checked the client's certificate. */
export const TLS_CONFIRMATION = 1;

/** The socket once the daemon's confirmation byte has been read (libvirt's virNetClient reads it before any frame). */
function tlsConfirmed(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (e: VirError) => {
      socket.destroy();
      reject(e);
    };
    const onError = (e: unknown) => fail(connectFailed('Unable to read TLS confirmation', e));
    const onEnd = () => fail(connectFailed('Unable to read TLS confirmation', Object.assign(new Error('Input/output error'), { code: 'EIO' })));
    const onReadable = () => {
      const byte = socket.read(1) as Buffer | null;
      if (byte === null) return;
      socket.off('readable', onReadable).off('error', onError).off('end', onEnd);
      if (byte[0] !== TLS_CONFIRMATION) fail(VirError.of(ErrorNumber.RPC, ErrorDomain.RPC, 'server verification (of our certificate or IP address) failed'));
      else resolve(socket);
    };
    socket.on('readable', onReadable).once('error', onError).once('end', onEnd);
  });
}
