import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { TLS_CONFIRMATION } from '@tsvirt/core/protocol';
import { TCP_ACCESS, tlsAccess, type ClientAccess, type TlsPolicy } from './network-access.js';

export interface TlsFiles {
  cert: string;
  key: string;
  /** the CA that client certificates must be signed by */
  ca?: string;
}

/**
 * A TCP listener at tcp://HOST:PORT, whose clients are read-only (they have not
 * authenticated); with TLS files, a TLS one whose clients are let in by `policy`. A
 * refused TLS client completes its handshake and is told why in the reply to its
 * first call, then dropped: both sides know which certificate check failed.
 */
export function listenTcp(
  host: string, port: number, tls: { files: TlsFiles; policy: TlsPolicy } | null, acceptClient: (socket: Socket, access: ClientAccess) => void,
): Promise<Server> {
  // Replies, events and console data are small writes that must not wait for the last one's ACK (Nagle).
  const accept = (socket: Socket, access: ClientAccess) => {
    socket.setNoDelay(true);
    acceptClient(socket, access);
  };
  const server = tls
    ? createTlsServer(
        {
          cert: readFileSync(tls.files.cert),
          key: readFileSync(tls.files.key),
          ca: tls.files.ca ? readFileSync(tls.files.ca) : undefined,
          requestCert: true,
          // Checked after the handshake (tlsAccess), so that the client can be told what failed.
          rejectUnauthorized: false,
        },
        (socket: TLSSocket) => {
          // libvirt's clients wait for the daemon's word that the session stands before they send a frame
          socket.write(Buffer.from([TLS_CONFIRMATION]));
          accept(socket, tlsAccess(socket, tls.policy));
        },
      )
    : createTcpServer((socket) => accept(socket, TCP_ACCESS));
  // A failed handshake is that client's problem only.
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
